"""A small vocabulary of medication names common in addiction care, with their class.

Offered as suggestions on the form (names can still be typed freely). When a name
from this list is entered, its class is filled in, and a different class is refused:
the safety flags depend on the class, so a known opioid cannot be filed as "other".

Generic (international non-proprietary) names, and the brand names clinicians and
patients say. A brand is stored with its generic, "Suboxone (buprenorphine/naloxone)":
the team recognises the brand, and the flags' reasons show what is in it.
"""

from __future__ import annotations

import re

from waymark.medications.models import DrugClass

COMMON_MEDICATIONS: dict[str, DrugClass] = {
    # Opioid agonists: treatment of opioid use disorder, and pain.
    "Methadone": DrugClass.OPIOID_AGONIST,
    "Morphine": DrugClass.OPIOID_AGONIST,
    "Oxycodone": DrugClass.OPIOID_AGONIST,
    "Codeine": DrugClass.OPIOID_AGONIST,
    "Tramadol": DrugClass.OPIOID_AGONIST,
    "Buprenorphine": DrugClass.BUPRENORPHINE,
    "Buprenorphine/naloxone": DrugClass.BUPRENORPHINE,
    "Naltrexone": DrugClass.NALTREXONE,
    "Naloxone": DrugClass.OTHER,  # overdose reversal
    # Benzodiazepines: alcohol withdrawal, anxiety, sleep.
    "Diazepam": DrugClass.BENZODIAZEPINE,
    "Chlordiazepoxide": DrugClass.BENZODIAZEPINE,
    "Lorazepam": DrugClass.BENZODIAZEPINE,
    "Clonazepam": DrugClass.BENZODIAZEPINE,
    "Alprazolam": DrugClass.BENZODIAZEPINE,
    "Sodium oxybate": DrugClass.GHB,
    # Gabapentinoids: nerve pain, anxiety, seizures; used off-label in withdrawal.
    "Gabapentin": DrugClass.GABAPENTINOID,
    "Pregabalin": DrugClass.GABAPENTINOID,
    # Stimulants: ADHD.
    "Methylphenidate": DrugClass.STIMULANT,
    "Lisdexamfetamine": DrugClass.STIMULANT,
    "Dexamfetamine": DrugClass.STIMULANT,
    "Mixed amfetamine salts": DrugClass.STIMULANT,
    # Alcohol use disorder.
    "Disulfiram": DrugClass.ALCOHOL_RELATED,
    "Acamprosate": DrugClass.ALCOHOL_RELATED,
    "Nalmefene": DrugClass.ALCOHOL_RELATED,
    # Antidepressants.
    "Sertraline": DrugClass.ANTIDEPRESSANT,
    "Fluoxetine": DrugClass.ANTIDEPRESSANT,
    "Citalopram": DrugClass.ANTIDEPRESSANT,
    "Escitalopram": DrugClass.ANTIDEPRESSANT,
    "Mirtazapine": DrugClass.ANTIDEPRESSANT,
    "Venlafaxine": DrugClass.ANTIDEPRESSANT,
    "Trazodone": DrugClass.ANTIDEPRESSANT,
    "Esketamine": DrugClass.ANTIDEPRESSANT,
    # Others seen in addiction care.
    "Ketamine": DrugClass.OTHER,
    "Lofexidine": DrugClass.OTHER,
    "Clonidine": DrugClass.OTHER,
    "Varenicline": DrugClass.OTHER,
    "Nicotine replacement": DrugClass.OTHER,
}

# Brand → the generic it contains (a key of COMMON_MEDICATIONS, which gives the class).
BRAND_NAMES: dict[str, str] = {
    "Suboxone": "Buprenorphine/naloxone",
    "Zubsolv": "Buprenorphine/naloxone",
    "Subutex": "Buprenorphine",
    "Sublocade": "Buprenorphine",  # monthly injection
    "Buvidal": "Buprenorphine",  # weekly or monthly injection
    "Brixadi": "Buprenorphine",  # weekly or monthly injection
    "Methadose": "Methadone",
    "Physeptone": "Methadone",
    "Vivitrol": "Naltrexone",  # monthly injection
    "Narcan": "Naloxone",
    "Valium": "Diazepam",
    "Librium": "Chlordiazepoxide",
    "Ativan": "Lorazepam",
    "Klonopin": "Clonazepam",
    "Rivotril": "Clonazepam",
    "Xanax": "Alprazolam",
    "Xyrem": "Sodium oxybate",
    "Neurontin": "Gabapentin",
    "Lyrica": "Pregabalin",
    "Ritalin": "Methylphenidate",
    "Concerta": "Methylphenidate",
    "Vyvanse": "Lisdexamfetamine",
    "Elvanse": "Lisdexamfetamine",
    "Dexedrine": "Dexamfetamine",
    "Adderall": "Mixed amfetamine salts",
    "Antabuse": "Disulfiram",
    "Campral": "Acamprosate",
    "Selincro": "Nalmefene",
    "Zoloft": "Sertraline",
    "Prozac": "Fluoxetine",
    "Celexa": "Citalopram",
    "Lexapro": "Escitalopram",
    "Cipralex": "Escitalopram",
    "Remeron": "Mirtazapine",
    "Effexor": "Venlafaxine",
    "Spravato": "Esketamine",
    "Ketalar": "Ketamine",
    "Lucemyra": "Lofexidine",
    "Chantix": "Varenicline",
    "Champix": "Varenicline",
}


def brand_spelling(brand: str) -> str:
    """How a brand is stored: "Suboxone (buprenorphine/naloxone)"."""
    return f"{brand} ({BRAND_NAMES[brand].lower()})"


# The names offered on the form: generics first, then brands with their generic.
SUGGESTIONS: tuple[str, ...] = (
    *COMMON_MEDICATIONS,
    *sorted(brand_spelling(brand) for brand in BRAND_NAMES),
)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


_BY_KEY: dict[str, tuple[str, DrugClass]] = {
    _key(name): (name, drug_class) for name, drug_class in COMMON_MEDICATIONS.items()
}
for _brand, _generic in BRAND_NAMES.items():
    _entry = (brand_spelling(_brand), COMMON_MEDICATIONS[_generic])
    _BY_KEY[_key(_brand)] = _BY_KEY[_key(_entry[0])] = _entry


def known_medication(name: str) -> tuple[str, DrugClass] | None:
    """The vocabulary's spelling and class for `name` (any case, spaces trimmed), if known.

    A brand, alone or as stored ("Suboxone" or "Suboxone (buprenorphine/naloxone)"),
    gives the stored spelling and the class of its generic.
    """
    return _BY_KEY.get(_key(name))


# Forms that stay in the body for weeks (monthly or weekly injections, implants).
_LONG_ACTING = re.compile(
    r"\b(vivitrol|sublocade|buvidal|brixadi|probuphine|depot|implant|injection|injectable"
    r"|extended[- ]release|prolonged[- ]release|xr|monthly|weekly)\b",
    re.IGNORECASE,
)


def is_long_acting(*texts: str) -> bool:
    """Whether a name or dose says the form is long-acting ("Vivitrol", "monthly injection")."""
    return any(_LONG_ACTING.search(text) for text in texts)
