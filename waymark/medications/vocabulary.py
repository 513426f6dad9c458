"""A small vocabulary of medication names common in addiction care, with their class.

Offered as suggestions on the form (names can still be typed freely). When a name
from this list is entered, its class is filled in, and a different class is refused:
the safety flags depend on the class, so a known opioid cannot be filed as "other".
Generic (international non-proprietary) names; brand names are left to the free text.
"""

from __future__ import annotations

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
    # Benzodiazepines: alcohol withdrawal, anxiety, sleep.
    "Diazepam": DrugClass.BENZODIAZEPINE,
    "Chlordiazepoxide": DrugClass.BENZODIAZEPINE,
    "Lorazepam": DrugClass.BENZODIAZEPINE,
    "Clonazepam": DrugClass.BENZODIAZEPINE,
    "Alprazolam": DrugClass.BENZODIAZEPINE,
    "Sodium oxybate": DrugClass.GHB,
    # Stimulants: ADHD.
    "Methylphenidate": DrugClass.STIMULANT,
    "Lisdexamfetamine": DrugClass.STIMULANT,
    "Dexamfetamine": DrugClass.STIMULANT,
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
    "Gabapentin": DrugClass.OTHER,
    "Pregabalin": DrugClass.OTHER,
    "Lofexidine": DrugClass.OTHER,
    "Clonidine": DrugClass.OTHER,
    "Varenicline": DrugClass.OTHER,
    "Nicotine replacement": DrugClass.OTHER,
}

_BY_KEY = {name.casefold(): (name, drug_class) for name, drug_class in COMMON_MEDICATIONS.items()}


def known_medication(name: str) -> tuple[str, DrugClass] | None:
    """The vocabulary's spelling and class for `name` (any case, spaces trimmed), if known."""
    return _BY_KEY.get(" ".join(name.split()).casefold())
