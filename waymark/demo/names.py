"""Made-up names for demo people, drawn from many cultures.

First names are unique within a pool (they become usernames); the two pools do
not share a name, and neither uses a name of the demo staff.
"""

from __future__ import annotations

US_FIRST_NAMES: tuple[str, ...] = (
    "Amara", "Diego", "Mei", "Priya", "Kwame", "Fatima", "Noah", "Sofia", "Tariq",
    "Aiyana", "Hiroshi", "Leilani", "Mateo", "Ayesha", "Jamal", "Ingrid", "Rosa",
    "Dmitri", "Nia", "Camila", "Arjun", "Yusuf", "Chloe", "Hannah", "Marcus", "Thanh",
    "Emeka", "Layla", "Santiago", "Ravi", "Esperanza", "Tomas", "Keisha", "Omar",
    "Bridget", "Kai", "Anaya", "Malik", "Lucia", "Ethan", "Zainab", "Connor", "Imani",
    "Wei", "Farah", "Julian", "Naomi", "Andre", "Soo-jin", "Elena", "Declan", "Rahel",
    "Joaquin", "Tamsin", "Kofi", "Yara", "Isaac", "Mariana", "Darnell", "Linh",
)  # fmt: skip

UK_FIRST_NAMES: tuple[str, ...] = (
    "Callum", "Siobhan", "Aisha", "Rhys", "Niamh", "Femi", "Harriet", "Jaspreet",
    "Euan", "Bethan", "Kieran", "Nadeem",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Okafor", "Alvarez", "Nguyen", "Patel", "Mensah", "Haddad", "Kowalski", "Rossi",
    "Tanaka", "Johnson", "Begay", "Kahale", "Moreno", "Chen", "Ibrahim", "Lindqvist",
    "Ramirez", "Volkov", "Williams", "Osei", "Sharma", "Demir", "Murphy", "Kim",
    "Adeyemi", "Silva", "Reyes", "Novak", "Brooks", "Hassan", "O'Connor", "Walker",
    "Tesfaye", "Park", "Fernandes", "Jackson", "Mahmoud", "Evans", "Singh", "Davies",
)  # fmt: skip
