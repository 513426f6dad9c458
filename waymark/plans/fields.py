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
