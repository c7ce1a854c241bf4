"""The throwaway keys of the demo (local.py) and of the tests (test.py).

They are in the repository, so they protect nothing: production.py refuses to start with any of them.
"""

DEMO_SECRET_KEY = "demo-only-secret-key-not-for-production-0123456789abcdefghij"
DEMO_FIELD_ENCRYPTION_KEY = "ZGVtby1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI="
DEMO_PII_HASH_KEY = "demo-only-pii-hash-key"

TEST_SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz0123456789"
TEST_FIELD_ENCRYPTION_KEY = "dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI="
TEST_PII_HASH_KEY = "test-pii-hash-key"

PUBLISHED_SECRET_KEYS = frozenset({DEMO_SECRET_KEY, TEST_SECRET_KEY})
PUBLISHED_FIELD_ENCRYPTION_KEYS = frozenset({DEMO_FIELD_ENCRYPTION_KEY, TEST_FIELD_ENCRYPTION_KEY})
PUBLISHED_PII_HASH_KEYS = frozenset({DEMO_PII_HASH_KEY, TEST_PII_HASH_KEY})
