"""The SQ_ worksheet functions, exposed to Excel through xlwings."""
