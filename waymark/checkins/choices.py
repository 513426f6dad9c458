"""The answer options of the daily check-in and the withdrawal log, in the patient's words.

Stored values are short codes; labels are what the patient reads. The safety
question is written in Waymark's own words (it is not the C-SSRS or PHQ-9 text).
"""

from __future__ import annotations

from django.db import models


class Mood(models.IntegerChoices):
    VERY_LOW = 1, "Very low"
    LOW = 2, "Low"
    OKAY = 3, "Okay"
    GOOD = 4, "Good"
    VERY_GOOD = 5, "Very good"


class SleepQuality(models.IntegerChoices):
    VERY_POOR = 1, "Very poor"
    POOR = 2, "Poor"
    FAIR = 3, "Fair"
    GOOD = 4, "Good"
    VERY_GOOD = 5, "Very good"


class Trigger(models.TextChoices):
    PEOPLE = "people", "People linked to using"
    PLACES = "places", "Places linked to using"
    EMOTIONS = "emotions", "Difficult feelings"
    HUNGRY = "hungry", "Hungry"
    ANGRY = "angry", "Angry"
    LONELY = "lonely", "Lonely"
    TIRED = "tired", "Tired"
    BOREDOM = "boredom", "Bored"
    STRESS = "stress", "Stress"
    PAIN = "pain", "Pain"
    CONFLICT = "conflict", "An argument or conflict"
    CELEBRATION = "celebration", "A party or celebration"
    MONEY = "money", "Money worries"
    CUES = "cues", "Seeing drugs or things linked to using"
    OTHER = "other", "Something else"


class Habit(models.TextChoices):
    EXERCISE = "exercise", "Exercise or a walk"
    MINDFULNESS = "mindfulness", "Mindfulness, meditation or breathing"
    MEALS = "meals", "Regular meals"
    SUPPORT = "support", "Time with people who support me"


class Meeting(models.TextChoices):
    NA = "na", "Narcotics Anonymous (NA)"
    TWELVE_STEP = "twelve_step", "Another 12-step meeting"
    SMART = "smart", "SMART Recovery"
    OTHER = "other", "Another support group"


class KetamineSymptom(models.TextChoices):
    """Physical signs linked to ketamine use (DESIGN.md: ketamine uropathy, "K-cramps")."""

    BLADDER_PAIN = "bladder_pain", "Pain in the bladder or when passing urine"
    URGENCY = "urgency", "Needing to pass urine often or urgently"
    BLOOD_IN_URINE = "blood_in_urine", "Blood in the urine"
    ABDOMINAL_PAIN = "abdominal_pain", "Severe stomach pain or cramps"


class SymptomLevel(models.IntegerChoices):
    NONE = 0, "None"
    MILD = 1, "Mild"
    MODERATE = 2, "Moderate"
    SEVERE = 3, "Severe"


# The withdrawal log's symptoms: model field name and what the patient reads.
WITHDRAWAL_SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("craving", "Craving"),
    ("anxiety", "Anxiety"),
    ("low_mood", "Low mood"),
    ("irritability", "Irritability"),
    ("restlessness", "Restlessness"),
    ("sleep_problems", "Sleep problems"),
    ("fatigue", "Tiredness"),
    ("poor_concentration", "Poor concentration"),
    ("tremor", "Shaking (tremor)"),
    ("sweating", "Sweating"),
    ("appetite_change", "Change in appetite"),
)
WITHDRAWAL_FIELDS = tuple(name for name, _ in WITHDRAWAL_SYMPTOMS)
WITHDRAWAL_MAX_TOTAL = len(WITHDRAWAL_SYMPTOMS) * SymptomLevel.SEVERE

# Substance classes that are also prescribed medicines (e.g. buprenorphine or methadone,
# a benzodiazepine in detox, a stimulant for ADHD). The check-in asks whether a use of
# one of these was a prescribed medicine taken as prescribed: that is not a lapse.
PRESCRIBED_CLASSES: tuple[str, ...] = ("opioids", "benzodiazepines", "stimulants")
AS_PRESCRIBED_LABEL = "I was prescribed this and took it as prescribed"

SAFETY_QUESTION = (
    "Since your last check-in, have you had thoughts of harming yourself, "
    "or that you would be better off dead?"
)
NOTE_MAX_LENGTH = 2000
LAPSE_NOTE_MAX_LENGTH = 1000
AMOUNT_MAX_LENGTH = 100
