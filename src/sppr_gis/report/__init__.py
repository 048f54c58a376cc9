"""Report writers: the formatted matrices book (:mod:`.excel`) and the HTML report."""
