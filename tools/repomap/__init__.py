"""Repository map: tree-sitter tags, a reference graph with personalised PageRank, BM25, fusion, rendering."""
