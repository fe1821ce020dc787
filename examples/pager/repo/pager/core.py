"""Split sequences into 1-based pages of a fixed size."""


def page_count(total, per_page):
    """Number of pages needed to show `total` items, `per_page` at a time."""
    if per_page <= 0:
        raise ValueError("per_page must be positive")
    return total // per_page + 1


def get_page(items, page, per_page):
    """The items on 1-based page `page`."""
    if page < 1 or page > page_count(len(items), per_page):
        raise IndexError(f"page {page} is out of range")
    start = (page - 1) * per_page
    return items[start:start + per_page]


def page_range(total, per_page):
    """The page numbers to show in a navigation bar: 1 .. page_count."""
    return list(range(1, page_count(total, per_page) + 1))
