"""The sections of a relapse prevention plan, in the patient's words, with limits.

Sections follow the usual parts of a relapse prevention plan in cognitive-behavioural
relapse prevention (Marlatt & Gordon, *Relapse Prevention*, 1985; Witkiewitz & Marlatt,
Am Psychol 2004;59:224-35): triggers, warning signs, coping, lifestyle balance,
support, avoiding high-risk situations, reasons, and a plan for a lapse.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_FIELD_CHARS = 2000
MAX_LINES = 30
MAX_LINE_CHARS = 200


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    help: str


SECTIONS: tuple[Section, ...] = (
    Section(
        "triggers", "My triggers",
        "People, places, feelings or times that make me want to use. One per line.",
    ),
    Section(
        "warning_signs", "Early warning signs",
        "Changes I notice in myself before things get hard. One per line.",
    ),
    Section(
        "coping", "Coping strategies for each trigger",
        'One per line, e.g. "Stress: a walk, then call my sister".',
    ),
    Section(
        "routines", "Healthy routines",
        "Sleep, meals, exercise, mindfulness, managing stress. One per line.",
    ),
    Section(
        "contacts", "People to call",
        'One per line: name, then phone number, e.g. "Sam, 555-0100".',
    ),
    Section("avoid", "Places and situations to avoid", "One per line."),
    Section("reasons", "My reasons for recovery", "One per line."),
    Section("after_lapse", "What I will do after a lapse", "Steps to take if I use. One per line."),
)  # fmt: skip
SECTION_NAMES = tuple(section.name for section in SECTIONS)
LABELS = {section.name: section.label for section in SECTIONS}

# Offered under "coping" when the plan is new (general, widely used ideas; not promises).
COPING_IDEAS = (
    "Delay: wait 20 minutes and ride the urge out",
    "Call or text someone on my list",
    "Leave the place or situation",
    "Slow breathing for two minutes",
    "Eat something, drink water, rest",
)


# The personal safety plan. Its sections are those of the Safety Planning Intervention
# (Stanley B, Brown GK. Safety planning intervention: a brief intervention to mitigate
# suicide risk. Cogn Behav Pract 2012;19(2):256-64): warning signs, internal coping,
# people and social settings for distraction, people to ask for help, professionals and
# agencies, making the environment safe, reasons for living. The wording is Waymark's own.
SAFETY_SECTIONS: tuple[Section, ...] = (
    Section(
        "warning_signs", "My warning signs",
        "Thoughts, feelings or situations that tell me a hard time may be starting. "
        "One per line.",
    ),
    Section(
        "on_my_own", "Things I can do on my own",
        "Small things that help me get through a bad moment without anyone else, "
        "e.g. music, a shower, a walk, slow breathing. One per line.",
    ),
    Section(
        "distraction", "People and places that take my mind off it",
        "People I can be around, or places I can go, that give my mind a break. "
        "I don't have to talk about how I feel there. One per line.",
    ),
    Section(
        "people", "People I can ask for help",
        'People I trust to tell how I really feel. One per line: name, then phone number, '
        'e.g. "Jo, 555-0100".',
    ),
    Section(
        "professionals", "Professionals and crisis lines",
        "My own clinicians, doctor or services. One per line: name, then phone number. "
        "Your organization's crisis lines are always shown with your plan as well.",
    ),
    Section(
        "safer_surroundings", "Making my surroundings safer",
        "Steps that put time and distance between me and ways I could hurt myself, "
        "including medicines and drugs I keep: who could hold them for me, what I could "
        "take back to a pharmacy. One per line.",
    ),
    Section(
        "reasons", "My reasons for living",
        "The people, things and hopes that matter most to me. One per line.",
    ),
)  # fmt: skip
SAFETY_CONTACT_SECTIONS = ("people", "professionals")
SAFETY_INTRO = (
    "A safety plan is a short list you write now, for a time when things feel too much and "
    "it is hard to think clearly. Start at the top and work down, step by step, until you "
    "feel safer. You can write it on your own or with your care team, and change it "
    "whenever you like."
)
