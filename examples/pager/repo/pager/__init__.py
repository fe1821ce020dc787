"""pager: split sequences into numbered pages."""

from pager.core import get_page, page_count, page_range

__all__ = ["get_page", "page_count", "page_range"]
