"""Argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane).

Django's default (100 MiB, 8 lanes) cost 0.36 s of CPU per sign-in here, which a burst of
sign-ins (or a crowd guessing passwords) turns into a denial of service on a 2-core box;
OWASP's setting costs 0.05 s and is still memory-hard. Hashes made with other parameters
keep verifying and are rewritten with these at the next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TierdeskArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
