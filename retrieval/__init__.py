"""Pure, synchronous retrieval over the 科协 service catalogue: model, loader, tokeniser, BM25 index, decisions."""
