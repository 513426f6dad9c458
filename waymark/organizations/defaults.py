"""Default help lines per locale. Organizations can edit them.

Sources (checked 2026): 988 Suicide & Crisis Lifeline (988lifeline.org);
SAMHSA National Helpline (samhsa.gov/find-help/national-helpline) — free,
confidential treatment referral and information, not counselling;
FRANK (talktofrank.com) — 24/7, national-rate number and text service;
Samaritans (samaritans.org) — free, 24/7; Shout (giveusashout.org) — free text support,
24/7, text SHOUT to 85258; NHS 111 (nhs.uk/nhs-services/urgent-and-emergency-care-services/
when-to-use-111) — urgent help when it is not a life-threatening emergency, 24/7, free.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LineDefault:
    name: str
    phone: str
    text_number: str
    description: str


EMERGENCY_NUMBER = {"en-US": "911", "en-GB": "999"}

CRISIS_LINES: dict[str, tuple[LineDefault, ...]] = {
    "en-US": (
        LineDefault(
            "988 Suicide & Crisis Lifeline",
            "988",
            "988",
            "Call or text any time if you are in crisis or thinking about suicide.",
        ),
        LineDefault(
            "SAMHSA National Helpline",
            "1-800-662-4357",
            "",
            "Free, confidential referral to treatment and support services, 24/7. "
            "It does not offer counselling.",
        ),
    ),
    "en-GB": (
        LineDefault(
            "Samaritans",
            "116 123",
            "",
            "Free to call, day or night, whatever you are going through.",
        ),
        LineDefault(
            "Shout",
            "",
            "85258",
            "Text SHOUT to 85258 to talk by text with a trained volunteer, any time (free).",
        ),
        LineDefault(
            "NHS 111",
            "111",
            "",
            "Urgent help or advice when it is not a life-threatening emergency, day or night "
            "(free).",
        ),
        LineDefault(
            "FRANK",
            "0300 123 6600",
            "82111",
            "Honest information and advice about drugs, 24/7 (national rate); text 82111.",
        ),
    ),
}
