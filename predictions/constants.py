"""Rules a user can hit: the code, the OpenAPI docs, the README and the tests share these."""

BATCH_MAX_ITEMS = 1000
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
