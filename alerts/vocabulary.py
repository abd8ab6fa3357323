"""Display names for the closed vocabularies, in Vietnamese (the default) and English.

Kept as data in one place so digests, reports and the web UI name a topic the same way.
Stance names describe coverage, not people: criticism is "tiêu cực" (negative), nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.enums import Stance, Topic, Urgency

LANGUAGES: tuple[str, ...] = ("vi", "en")

TOPIC_NAMES: Mapping[str, Mapping[Topic, str]] = {
    "vi": {
        Topic.TOURISM_CULTURE: "văn hóa – du lịch",
        Topic.INVESTMENT_BUSINESS: "đầu tư – doanh nghiệp",
        Topic.TRADE_INDUSTRY_PRODUCTS: "công thương – sản phẩm",
        Topic.AGRICULTURE: "nông nghiệp",
        Topic.ENVIRONMENT: "môi trường",
        Topic.LAND_URBAN: "đất đai – đô thị",
        Topic.INFRASTRUCTURE_TRANSPORT: "hạ tầng – giao thông",
        Topic.HEALTH: "y tế",
        Topic.EDUCATION: "giáo dục",
        Topic.DISASTERS_WEATHER: "thiên tai – thời tiết",
        Topic.PUBLIC_SAFETY_CRIME: "an ninh – trật tự",
        Topic.GOVERNMENT_ADMINISTRATION: "chính quyền – hành chính",
        Topic.SOCIETY_WELFARE_LABOUR: "lao động – an sinh xã hội",
        Topic.SCIENCE_TECHNOLOGY: "khoa học – công nghệ",
        Topic.SPORTS: "thể thao",
        Topic.FOREIGN_AFFAIRS: "đối ngoại",
        Topic.OTHER: "khác",
    },
    "en": {
        Topic.TOURISM_CULTURE: "tourism and culture",
        Topic.INVESTMENT_BUSINESS: "investment and business",
        Topic.TRADE_INDUSTRY_PRODUCTS: "trade, industry and products",
        Topic.AGRICULTURE: "agriculture",
        Topic.ENVIRONMENT: "environment",
        Topic.LAND_URBAN: "land and urban development",
        Topic.INFRASTRUCTURE_TRANSPORT: "infrastructure and transport",
        Topic.HEALTH: "health",
        Topic.EDUCATION: "education",
        Topic.DISASTERS_WEATHER: "disasters and weather",
        Topic.PUBLIC_SAFETY_CRIME: "public safety",
        Topic.GOVERNMENT_ADMINISTRATION: "government and administration",
        Topic.SOCIETY_WELFARE_LABOUR: "labour and social welfare",
        Topic.SCIENCE_TECHNOLOGY: "science and technology",
        Topic.SPORTS: "sports",
        Topic.FOREIGN_AFFAIRS: "foreign affairs",
        Topic.OTHER: "other",
    },
}

STANCE_NAMES: Mapping[str, Mapping[Stance, str]] = {
    "vi": {Stance.POSITIVE: "tích cực", Stance.NEUTRAL: "trung lập", Stance.NEGATIVE: "tiêu cực"},
    "en": {Stance.POSITIVE: "positive", Stance.NEUTRAL: "neutral", Stance.NEGATIVE: "negative"},
}

URGENCY_NAMES: Mapping[str, Mapping[Urgency, str]] = {
    "vi": {Urgency.URGENT: "khẩn", Urgency.ROUTINE: "thường"},
    "en": {Urgency.URGENT: "urgent", Urgency.ROUTINE: "routine"},
}

#: Shown when a label is missing (not yet classified) rather than inventing one.
UNLABELLED: Mapping[str, str] = {"vi": "chưa xác định", "en": "not determined"}


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "vi"


def topic_name(topic: Topic | str | None, lang: str = "vi") -> str:
    """Return the display name of ``topic`` (a value the enum does not know is shown as is)."""
    if topic is None or topic == "":
        return UNLABELLED[_lang(lang)]
    try:
        return TOPIC_NAMES[_lang(lang)][Topic(topic)]
    except ValueError:
        return str(topic)


def stance_name(stance: Stance | str | None, lang: str = "vi") -> str:
    """Return the display name of ``stance`` (tích cực / trung lập / tiêu cực by default)."""
    if stance is None or stance == "":
        return UNLABELLED[_lang(lang)]
    try:
        return STANCE_NAMES[_lang(lang)][Stance(stance)]
    except ValueError:
        return str(stance)


def urgency_name(urgency: Urgency | str, lang: str = "vi") -> str:
    """Return the display name of ``urgency``."""
    try:
        return URGENCY_NAMES[_lang(lang)][Urgency(urgency)]
    except ValueError:
        return str(urgency)
