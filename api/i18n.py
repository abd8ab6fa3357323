"""The web UI's strings, Vietnamese first, English second. One catalogue, no strings in templates.

Topic and stance names come from ``alerts`` so the UI and the digests name labels alike.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "tagline": "Theo dõi thông tin báo chí về địa phương",
        "skip_to_content": "Chuyển đến nội dung chính",
        "switch_language": "English",
        "search_label": "Tìm kiếm tin",
        "search_hint": "Gõ từ khóa, có dấu hoặc không dấu",
        "search_button": "Tìm",
        "exact_label": "Khớp đúng dấu (tìm “Bắc” không ra “Bạc”)",
        "sort_label": "Sắp xếp",
        "sort_default": "Mặc định (liên quan nhất khi có từ khóa)",
        "sort_relevance": "Liên quan nhất",
        "sort_newest": "Mới nhất",
        "sort_oldest": "Cũ nhất",
        "results_count": "{total} kết quả",
        "no_results": "Không có tin nào phù hợp.",
        "filters": "Bộ lọc",
        "facet_stance": "Sắc thái",
        "facet_topic": "Chủ đề",
        "facet_outlet": "Nguồn tin",
        "facet_language": "Ngôn ngữ",
        "facet_unit": "Đơn vị phụ trách",
        "active_filters": "Đang lọc",
        "remove_filter": "bỏ lọc",
        "clear_filters": "Bỏ tất cả bộ lọc",
        "pages": "Phân trang",
        "previous": "Trang trước",
        "next": "Trang sau",
        "page_of": "Trang {page}/{pages}",
        "published": "Ngày đăng",
        "outlet": "Nguồn",
        "stance": "Sắc thái",
        "topic": "Chủ đề",
        "confidence": "độ tin cậy {value}%",
        "language": "Ngôn ngữ",
        "original_article": "Xem bài gốc",
        "localities": "Địa danh được nhắc đến",
        "mentions": "{hits} lần",
        "about_locality": "nói về địa phương",
        "claims": "Trùng khớp với thông tin đã kiểm chứng",
        "claim_auto": "đã được đính chính là sai",
        "claim_suggest": "cần biên tập viên xem xét",
        "evidence": "Bằng chứng",
        "routing": "Chuyển xử lý",
        "unit": "Đơn vị phụ trách",
        "reason": "Lý do",
        "urgency": "Mức độ",
        "not_routed": "Tin này không cần phản hồi.",
        "text": "Nội dung",
        "back_to_search": "Quay lại tìm kiếm",
        "item_not_found": "Không tìm thấy tin này. Có thể đường liên kết đã cũ.",
        "query_error": "Câu tìm kiếm chưa hợp lệ",
        "alert_title": "Tin cần phản hồi",
        "alert_not_found": "Không tìm thấy yêu cầu phản hồi này.",
        "acknowledge": "Xác nhận đã tiếp nhận",
        "status": "Tình trạng",
        "status_open": "chưa tiếp nhận",
        "status_acknowledged": "đã tiếp nhận",
        "status_answered": "đã phản hồi",
        "answer_link": "Bài phản hồi",
        "view_item": "Xem chi tiết tin",
        "not_found_title": "Không tìm thấy",
        "mode_label": "Cách tìm",
        "mode_keyword": "Từ khóa",
        "mode_semantic": "Ngữ nghĩa",
        "mode_hybrid": "Kết hợp",
        "semantic_off": "(Tìm theo ngữ nghĩa chưa bật trên máy chủ này.)",
        "semantic_unavailable": "Tìm theo ngữ nghĩa đang không dùng được; hãy tìm theo từ khóa.",
        "similar": "Tương tự",
        "similar_heading": "Tin tương tự với: {title}.",
        "similar_clear": "Quay lại tìm kiếm",
        "export_label": "Tải toàn bộ kết quả",
        "export_csv": "CSV (mở bằng Excel)",
        "export_jsonl": "JSONL",
        "saved_title": "Tìm kiếm đã lưu",
        "saved_none": "Chưa có tìm kiếm nào được lưu.",
        "saved_name": "Đặt tên cho tìm kiếm này",
        "saved_button": "Lưu tìm kiếm",
        "saved_delete": "Xóa",
        "saved_name_missing": "Hãy đặt tên cho tìm kiếm trước khi lưu.",
        "saved_not_found": "Không tìm thấy tìm kiếm đã lưu này.",
    },
    "en": {
        "tagline": "Press monitoring for the locality",
        "skip_to_content": "Skip to main content",
        "switch_language": "Tiếng Việt",
        "search_label": "Search coverage",
        "search_hint": "Type keywords, with or without diacritics",
        "search_button": "Search",
        "exact_label": "Match diacritics exactly (“Bắc” does not find “Bạc”)",
        "sort_label": "Sort",
        "sort_default": "Default (most relevant when searching)",
        "sort_relevance": "Most relevant",
        "sort_newest": "Newest",
        "sort_oldest": "Oldest",
        "results_count": "{total} results",
        "no_results": "No matching items.",
        "filters": "Filters",
        "facet_stance": "Stance",
        "facet_topic": "Topic",
        "facet_outlet": "Outlet",
        "facet_language": "Language",
        "facet_unit": "Responsible unit",
        "active_filters": "Active filters",
        "remove_filter": "remove filter",
        "clear_filters": "Remove all filters",
        "pages": "Pages",
        "previous": "Previous page",
        "next": "Next page",
        "page_of": "Page {page} of {pages}",
        "published": "Published",
        "outlet": "Outlet",
        "stance": "Stance",
        "topic": "Topic",
        "confidence": "confidence {value}%",
        "language": "Language",
        "original_article": "Original article",
        "localities": "Places mentioned",
        "mentions": "mentions: {hits}",
        "about_locality": "about the locality",
        "claims": "Matches with fact-checks on record",
        "claim_auto": "shown false by a correction on record",
        "claim_suggest": "for an analyst to review",
        "evidence": "Evidence",
        "routing": "Routing",
        "unit": "Responsible unit",
        "reason": "Reason",
        "urgency": "Urgency",
        "not_routed": "This item needs no response.",
        "text": "Text",
        "back_to_search": "Back to search",
        "item_not_found": "No such item. The link may be out of date.",
        "query_error": "The search is not valid",
        "alert_title": "Item needing a response",
        "alert_not_found": "No such response request.",
        "acknowledge": "Acknowledge receipt",
        "status": "Status",
        "status_open": "not yet acknowledged",
        "status_acknowledged": "acknowledged",
        "status_answered": "answered",
        "answer_link": "Published answer",
        "view_item": "View the item",
        "not_found_title": "Not found",
        "mode_label": "Search by",
        "mode_keyword": "Keywords",
        "mode_semantic": "Meaning",
        "mode_hybrid": "Combined",
        "semantic_off": "(Search by meaning is not enabled on this server.)",
        "semantic_unavailable": "Search by meaning is not available right now; search by keywords.",
        "similar": "Similar",
        "similar_heading": "Items similar to: {title}.",
        "similar_clear": "Back to search",
        "export_label": "Download all results",
        "export_csv": "CSV (opens in Excel)",
        "export_jsonl": "JSONL",
        "saved_title": "Saved searches",
        "saved_none": "No saved searches yet.",
        "saved_name": "Name this search",
        "saved_button": "Save search",
        "saved_delete": "Delete",
        "saved_name_missing": "Give the search a name before saving it.",
        "saved_not_found": "No such saved search.",
    },
}

#: Names of the languages coverage is collected in, for the language facet.
LANGUAGE_NAMES: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "vi": "Tiếng Việt",
        "en": "Tiếng Anh",
        "zh": "Tiếng Trung",
        "ko": "Tiếng Hàn",
        "ja": "Tiếng Nhật",
        "lo": "Tiếng Lào",
        "km": "Tiếng Khmer",
        "th": "Tiếng Thái",
        "fr": "Tiếng Pháp",
        "ru": "Tiếng Nga",
        "de": "Tiếng Đức",
    },
    "en": {
        "vi": "Vietnamese",
        "en": "English",
        "zh": "Chinese",
        "ko": "Korean",
        "ja": "Japanese",
        "lo": "Lao",
        "km": "Khmer",
        "th": "Thai",
        "fr": "French",
        "ru": "Russian",
        "de": "German",
    },
}


def pick_language(asked: str | None, remembered: str | None) -> str:
    """The UI language: asked in the URL, else remembered in the cookie, else Vietnamese."""
    for lang in (asked, remembered):
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


class Translator:
    """Looks up UI strings in one language; templates call it as ``t("key", name=value)``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._messages = MESSAGES[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        """Return the string for ``key`` with ``values`` filled in (a missing key is a bug: KeyError)."""
        text = self._messages[key]
        return text.format(**values) if values else text

    def language_name(self, code: str) -> str:
        """The name of a content language, or its code when we have no name for it."""
        return LANGUAGE_NAMES[self.lang].get(code, code)
