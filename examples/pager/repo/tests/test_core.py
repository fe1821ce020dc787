import unittest

from pager import get_page, page_count, page_range


class PageCountTest(unittest.TestCase):
    def test_partial_last_page(self):
        self.assertEqual(page_count(11, 5), 3)

    def test_rejects_bad_page_size(self):
        with self.assertRaises(ValueError):
            page_count(10, 0)


class GetPageTest(unittest.TestCase):
    def test_first_and_last_page(self):
        items = list(range(11))
        self.assertEqual(get_page(items, 1, 5), [0, 1, 2, 3, 4])
        self.assertEqual(get_page(items, 3, 5), [10])

    def test_out_of_range(self):
        with self.assertRaises(IndexError):
            get_page(list(range(11)), 4, 5)


class PageRangeTest(unittest.TestCase):
    def test_range(self):
        self.assertEqual(page_range(11, 5), [1, 2, 3])


if __name__ == "__main__":
    unittest.main()
