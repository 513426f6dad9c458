"""What people in ketamine withdrawal commonly report, by day of a detox stay, and words of
support. Written for the patient: "commonly reported", never "will".

No validated ketamine withdrawal timeline exists. The onset (within 24–72 hours of the last
use) and peak (around days 3–7) are what treatment services and people who have stopped
commonly describe, from clinical experience — no study gives them, so the words say
"commonly reported" and never "will". The symptoms themselves (craving, low mood, anxiety,
poor sleep, irritability, tiredness, poor concentration, tremor) are those people report
after stopping: Chen WY, Huang MC, Lin SK, Subst Abuse Treat Prev Policy 2014;9:39
(discontinuation symptoms in ketamine users); Morgan CJA, Curran HV, Addiction
2012;107:27-38 (review; no timeline). Urinary or severe abdominal symptoms need prompt
medical review (Morgan & Curran 2012).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DayGuidance:
    first_day: int
    last_day: int | None  # None: open-ended
    title: str
    paragraphs: tuple[str, ...]

    def covers(self, day: int) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


EVERYONE_IS_DIFFERENT = (
    "Everyone's withdrawal is different. There is no fixed timetable for ketamine, so this is "
    "what people commonly report, not what will happen to you."
)

DETOX_GUIDANCE: tuple[DayGuidance, ...] = (
    DayGuidance(
        1,
        2,
        "The first days",
        (
            "Many people notice the first withdrawal symptoms within one to three days of "
            "their last use. Craving, feeling anxious or on edge, low mood and poor sleep are "
            "commonly reported.",
            "Some people feel fairly well at first and find things get harder over the next "
            "few days. That is common, and the staff here expect it.",
        ),
    ),
    DayGuidance(
        3,
        7,
        "Often the hardest stretch",
        (
            "For many people, symptoms are strongest somewhere around days 3 to 7. Craving, "
            "irritability, restlessness, tiredness, trouble sleeping and low mood are commonly "
            "reported around now.",
            "If it feels worse today than yesterday, that does not mean something has gone "
            "wrong. Tell staff how you are doing; they can help with symptoms and with sleep.",
        ),
    ),
    DayGuidance(
        8,
        None,
        "After the first week",
        (
            "Physical symptoms commonly ease after the first week. Feelings such as craving, "
            "low mood, anxiety, poor sleep, tiredness and trouble concentrating can carry on "
            "for weeks, coming and going.",
            "This is commonly reported and is not a sign that treatment isn't working. Keep "
            "logging how you feel: it helps you and your care team see the changes over time.",
        ),
    ),
)

MEDICAL_REVIEW_ADVICE = (
    "Pain in your bladder or when passing urine, needing to go often or urgently, blood in "
    "your urine, or severe stomach pain can be linked to ketamine. These often get better when "
    "they are looked at early, so please ask for a medical review soon — tell staff or your "
    "doctor. If the pain is severe, you cannot pass urine, or there is a lot of blood, get "
    "urgent medical help now."
)

SUPPORT_MESSAGES: tuple[tuple[str, str], ...] = (
    (
        "You are doing something hard",
        "Coming off ketamine takes courage. Whatever today feels like, you are not facing it "
        "alone — the people around you are here to help you through it.",
    ),
    (
        "Urges come in waves",
        "A craving can feel like it will last forever, but urges usually rise, peak and fade. "
        "Try to notice it, breathe slowly, and let it pass without acting on it. Each one you "
        "ride out is worth noticing.",
    ),
    (
        "Small things count",
        "A glass of water, something to eat, a shower, a short walk in the corridor, a call to "
        "someone you trust. On a hard day, small steps are enough.",
    ),
    (
        "Be kind to yourself",
        "Feeling low, irritable or foggy is common in withdrawal. It is not a failing. If your "
        "thoughts turn to harming yourself, tell staff straight away.",
    ),
)


def guidance_for_day(day: int) -> DayGuidance:
    """The guidance for day `day` of the stay (day 1 is the day of admission)."""
    for guidance in DETOX_GUIDANCE:
        if guidance.covers(day):
            return guidance
    return DETOX_GUIDANCE[0]


# After a lapse that follows a break from a depressant (rule use.lower_tolerance). The page
# shows it at length (templates/checkins/_lower_tolerance.html); apps get this summary.
# Sources: Strang et al., BMJ 2003;326:959-60; WHO, Community management of opioid
# overdose, 2014.
LOWER_TOLERANCE_ADVICE = (
    "After a break your tolerance is likely lower, so an amount you used to take can now be "
    "too much. If you use again: use less and go slowly, don't use alone, don't mix alcohol, "
    "benzodiazepines, GHB, opioids or ketamine, and carry naloxone. If someone can't be woken "
    "or is breathing very slowly, call the emergency number now."
)
