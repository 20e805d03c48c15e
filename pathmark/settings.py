"""Pathmark settings, read from environment variables with safe production defaults.

Every value a deployment may change comes from the environment (see `.env.example`); a
malformed value stops start-up with a message naming the variable.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]


def load_env_file(path: Path) -> None:
    """Reads KEY=value lines from a `.env` file; real environment variables win."""
    if TESTING or not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=value")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


load_env_file(Path(os.environ.get("PATHMARK_ENV_FILE", BASE_DIR / ".env")))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only ever used on a developer's machine or in the test run: never in production,
        # where a missing key stops start-up below.
        SECRET_KEY = "pathmark-insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Generate one with "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'` "
            "and set it in the environment, or set DEBUG=true for a local demo."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public address of the site (https://pathmark.example.org), used in links sent by e-mail
# or printed by commands. Unset, a link made while answering a request uses that request's
# address, and a command uses http://HOST:PORT (the address `make demo` serves on).
SITE_URL = env_str("SITE_URL", "").rstrip("/")
LOCAL_SITE_URL = f"http://{env_str('HOST', '127.0.0.1')}:{env_str('PORT', '8000')}"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pathmark.core",
    "pathmark.accounts",
    "pathmark.organisations",
    "pathmark.audit",
    "pathmark.people",
    "pathmark.instruments",
    "pathmark.assessments",
    # After privacy, so a subject access copy lists the record itself before derived trends.
    "pathmark.privacy",
    "pathmark.journeys",
    "pathmark.selfservice",
    "pathmark.directory",
    "pathmark.capacity",
    "pathmark.plans",
    "pathmark.reports",
    "pathmark.evidence",
    "pathmark.referrals",
    "pathmark.transfer",
    "pathmark.demo",
    "pathmark.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pathmark.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "pathmark.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pathmark.accounts.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pathmark.organisations.middleware.OrganisationScopeMiddleware",
    # Last, as django-axes asks: turns a lock-out into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pathmark.urls"
WSGI_APPLICATION = "pathmark.wsgi.application"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Form widgets through Django's own Jinja2 templates: the same markup (whitespace aside) as its
# template language draws, about twice as fast; the fields around them stay in our templates.
FORM_RENDERER = "django.forms.renderers.Jinja2"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pathmark" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # `{% url %}` and `{% translate %}` as Django's, with what they work out kept
            # (pathmark/core/templatetags/kept_urls.py and kept_i18n.py).
            "builtins": ["pathmark.core.templatetags.kept_urls"],
            # Replacing Django's `i18n` by name is what Django's check templates.W003 warns
            # of; it is silenced below, and core/tests/test_kept_tags.py checks every other
            # library name stays unique, as W003 would.
            "libraries": {"i18n": "pathmark.core.templatetags.kept_i18n"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pathmark.site.context_processors.pathmark",
            ],
        },
    }
]

SILENCED_SYSTEM_CHECKS = ["templates.W003"]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default (one organisation or a demo); PostgreSQL through
# DATABASE_URL is the partnership deployment. Same code and tests on both.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except Exception as error:  # dj_database_url raises several kinds; all mean the same to a user
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL I understand: {error}"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept between requests, as on PostgreSQL: a new connection runs the settings below and
    # reads the schema again, and starts with an empty page cache (2-3 ms a request, more
    # for the pages that then read their indexes from the operating system again).
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers carry on while one writer commits; IMMEDIATE transactions take the
        # write lock up front so concurrent writers wait (busy timeout) instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=5000;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA cache_size=-20000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
if env_str("TEST_DATABASE_NAME") and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Lets several test runs share one PostgreSQL server without clashing.
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG or TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "pathmark.accounts.backends.LockoutBackend",
    "pathmark.accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock-out after repeated failures (django-axes). Counted per username *and* address, so a
# stranger guessing one colleague's password cannot lock out a whole office sharing one
# address, nor the colleague when signing in from elsewhere. Administrators can unlock early.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "pathmark.accounts.ratelimit.client_ip"
# Pathmark's audit log records sign-ins; a second log of every sign-in is not needed.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
# Failed sign-in, code and password attempts allowed in any sliding window of this length
# (accounts/ratelimit.py), counted per account (from whatever address: slows guessing one
# person's password from many addresses) and per address (whatever username: slows guessing
# across many usernames). The address limit is higher, so one colleague's typos behind an
# office's shared address do not lock out the rest. The lock-out above stays the firm limit.
# (Tests sign in hundreds of times from one address, so the limits are lifted there unless a
# test sets them.)
AUTH_RATE_LIMIT = env_int("AUTH_RATE_LIMIT", 100_000 if TESTING else 20)
AUTH_RATE_LIMIT_PER_ADDRESS = env_int("AUTH_RATE_LIMIT_PER_ADDRESS", 100_000 if TESTING else 100)
AUTH_RATE_LIMIT_WINDOW_SECONDS = 10 * 60
# The rate limits count in Django's cache. The default is each process's own memory, so with
# several server processes each counts separately; give them one shared cache, e.g.
# CACHE_URL=redis://127.0.0.1:6379/0 (needs the `redis` package installed beside Pathmark).
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"CACHE_URL must be a redis:// (or rediss://, unix://) address, not {CACHE_URL!r}."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
    }

# Two-factor authentication (django-otp, TOTP apps such as FreeOTP or Google Authenticator).
# Required for members of an organisation with `require_two_factor` (the default), and for
# anyone who has set it up.
OTP_TOTP_ISSUER = "Pathmark"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

# Sessions live in `accounts.UserSession`, which records whose they are, so that "sign out
# everywhere" and deactivating a user end every session of that user at once.
SESSION_ENGINE = "pathmark.accounts.sessions"
# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# sign-in however busy (OWASP ASVS 3.3). The idle clock is refreshed at most once a minute
# (accounts.middleware), not by saving the session on every request: a read stays one write.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_MAX_AGE = env_int("SESSION_MAX_HOURS", 12) * 60 * 60
SESSION_REFRESH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security -----------------------------------------------------------------------------
SECURE_PRODUCTION = not DEBUG and not TESTING
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SECURE_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Allows browsers' built-in HSTS list to include the site; set false if the domain's other
# sub-domains cannot all serve HTTPS (`check --deploy` will then say so).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31536000)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS proxy, the client's address is the last one the proxy appended to
# X-Forwarded-For (earlier entries are whatever the client claimed). Used for lock-outs and
# rate limits.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Dates and uploads (issue 13) ---------------------------------------------------------
# No assessment, consent or other dated fact about a person may be recorded before this year
# (nor before their birth, nor in the future). 1990 is older than any case file a partner
# could migrate from a previous system, yet catches a mistyped century (0202, 1922 for 2022).
PATHMARK_EARLIEST_YEAR = env_int("PATHMARK_EARLIEST_YEAR", 1990)
# Uploads (spreadsheet imports) are refused while they arrive once a file passes this size
# (pathmark.core.uploads, the first upload handler); a proxy in front should refuse bodies a
# little larger still (nginx client_max_body_size). An XLSX is a zip: its content may expand
# to at most PATHMARK_IMPORT_MAX_UNCOMPRESSED_BYTES (checked from the zip's directory in the
# request, before anything is unpacked), and a file may hold at most PATHMARK_IMPORT_MAX_ROWS
# rows (counted by the background check, which stops reading there).
PATHMARK_UPLOAD_MAX_BYTES = env_int("PATHMARK_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
PATHMARK_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int(
    "PATHMARK_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024
)
PATHMARK_IMPORT_MAX_ROWS = env_int("PATHMARK_IMPORT_MAX_ROWS", 500_000)
FILE_UPLOAD_HANDLERS = [
    "pathmark.core.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pathmark@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LANGUAGES_BIDI = ["ar", "fa", "ps", "ur", "he", "ku"]
LOCALE_PATHS = [BASE_DIR / "pathmark" / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Pathmark -----------------------------------------------------------------------------
# Extra folders of instrument YAML files (a partnership's own or licensed instruments).
PATHMARK_INSTRUMENT_DIRS = env_list("PATHMARK_INSTRUMENT_DIRS", [])
# Extra folders of host-society reference norm files (`*.norms.yaml`), e.g. local survey data.
PATHMARK_NORM_DIRS = env_list("PATHMARK_NORM_DIRS", [])
# Uploaded import files wait here, outside the web root, until their import ends.
PATHMARK_PRIVATE_MEDIA = Path(env_str("PATHMARK_PRIVATE_MEDIA", str(BASE_DIR / "private")))
PATHMARK_DEMO = env_bool("PATHMARK_DEMO", DEBUG)
# A key worker's people fall due for reassessment this many months after their latest
# completed assessment ("My caseload" lists the overdue and due first).
PATHMARK_REASSESSMENT_MONTHS = env_int("PATHMARK_REASSESSMENT_MONTHS", 6)
# Processes that work out and write journey trends side by side in a large refresh or rebuild
# (each chunk checked under its lock to be still current before it is written): the machine's
# CPUs, at most 4. 1 works everything out in the job's own process.
PATHMARK_REFRESH_PROCESSES = env_int("PATHMARK_REFRESH_PROCESSES", min(4, os.cpu_count() or 1))
# Days an invitation to join an organisation can be accepted; after that the organisation
# invites again (an old offer lying in an account is a membership nobody remembers giving).
PATHMARK_INVITATION_DAYS = env_int("PATHMARK_INVITATION_DAYS", 14)
# The partnership's own criteria for choosing case studies (a YAML file like
# pathmark/evidence/data/case-study-criteria.yaml); empty for the criteria shipped.
PATHMARK_CASE_STUDY_CRITERIA = env_str("PATHMARK_CASE_STUDY_CRITERIA", "")
# Reports shown outside the organisation that owns the people hide every count below this
# (and enough others that none can be worked out by subtraction).
PATHMARK_REPORT_MINIMUM = env_int("PATHMARK_REPORT_MINIMUM", 5)
# Reports reading at least this many assessments are worked out in the background (with
# progress shown) and kept for reuse until the data changes.
PATHMARK_REPORT_BACKGROUND_ASSESSMENTS = env_int("PATHMARK_REPORT_BACKGROUND_ASSESSMENTS", 50_000)
if PATHMARK_REPORT_MINIMUM < 2:
    raise ImproperlyConfigured("PATHMARK_REPORT_MINIMUM must be 2 or more (5 is usual).")
# The kinds of life event caseworkers may record on a journey (journeys.models.LifeEventKind
# values); empty for all of them.
PATHMARK_LIFE_EVENTS = env_list("PATHMARK_LIFE_EVENTS", [])
PAGE_SIZE = 25
# Languages without a two-letter ISO 639-1 code that records may hold (ISO 639-3 codes).
PATHMARK_EXTRA_LANGUAGES = env_list(
    "PATHMARK_EXTRA_LANGUAGES",
    ["prs", "ckb", "kmr", "sdh", "haz", "tig", "din", "nus", "bej", "rhg"],
)
# Languages offered as tick boxes on the person form (the rest are typed by name or code).
PATHMARK_COMMON_LANGUAGES = env_list(
    "PATHMARK_COMMON_LANGUAGES",
    [
        "ar",
        "fa",
        "prs",
        "ps",
        "ckb",
        "kmr",
        "ti",
        "am",
        "so",
        "sw",
        "ur",
        "bn",
        "uk",
        "ru",
        "sq",
        "tr",
        "vi",
        "zh",
        "fr",
        "es",
        "pt",
        "en",
    ],
)

# A client's link to answer on their own phone: how long it works, and how many wrong,
# expired or stopped links one address may try per window before it must wait (tests lift it).
CLIENT_LINK_HOURS = env_int("CLIENT_LINK_HOURS", 72)
CLIENT_LINK_FAILURE_LIMIT = env_int("CLIENT_LINK_FAILURE_LIMIT", 100_000 if TESTING else 20)
CLIENT_LINK_WINDOW_SECONDS = 10 * 60
if CLIENT_LINK_HOURS < 1:
    raise ImproperlyConfigured("CLIENT_LINK_HOURS must be at least 1.")
# Text messages: a class with send(to=..., text=...) -> bool. The console backend prints them.
PATHMARK_SMS_BACKEND = env_str(
    "PATHMARK_SMS_BACKEND", "pathmark.selfservice.delivery.ConsoleSmsBackend"
)

# Logs carry ids and action codes, never names, answers or request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints the request path; ours never hold personal data,
        # but the body and POST data must never reach a log.
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; the audit log already records them.
        "axes": {"level": "WARNING"},
    },
}
