"""Settings shared by every environment. Values come from environment variables (django-environ).

No secret has a default here: local.py and test.py supply throwaway ones, production.py demands real ones.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "auditlog",
    "django_fsm",
    "import_export",
    "common.axes_app.AxesConfig",
    "domain_events",
    "members",
    "notifications",
    "staff_tasks",
    "points",
    "vehicles",
    "appointments",
    "dealer_exchange",
    "orders",
    "crm",
    "crm.customer360",
    "crm.leads",
    "crm.supervision",
    "crm.care.rescue",
    "crm.surveys",
    "crm.owner_events",
    "crm.care.complaints",
    "crm.reports",
    "crm.segments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a cookie or a parameter: a NUL character is refused (400) or dropped, never queried.
    "common.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "common.middleware.RequestLogMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "members:sign-in"
LOGIN_REDIRECT_URL = "members:dashboard"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.inbox",
                "members.context_processors.customer_service",
                "members.context_processors.member_navigation",
            ],
        },
    },
]

# Database: PostgreSQL when DATABASE_URL is set, else a SQLite file under var/ for the zero-set-up demo.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'member_center.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"].get("ENGINE", "").endswith("postgresql"):
    # Baked statements (common/baked.py) are prepared on the server, so PostgreSQL plans each once per connection.
    # Django's own queries bind on the client and are never prepared. (Behind a transaction-mode pooler such as
    # PgBouncer < 1.21, set DB_PREPARE_STATEMENTS=false.)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        0 if env.bool("DB_PREPARE_STATEMENTS", default=True) else None
    )
# Reports read from a replica when one is given (crm/reports/router.py); everything else uses the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["crm.reports.router.ReportReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache and Celery broker when REDIS_URL is set; else local memory and in-process tasks.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mc"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "member-center"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host named: kombu warns about none
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "Asia/Shanghai"
# Celery's Django fixup closes the database connection before and after every task unless this is set, so every
# task (an SMS, a points award) would pay a new PostgreSQL connection. Reuse it: config/celery.py applies
# CONN_MAX_AGE and the health check around each task, as Django does around each request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Chart.js, installed from npm by `make setup` (package.json), served as /static/vendor/chartjs/chart.umd.js.
if (BASE_DIR / "node_modules" / "chart.js" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"))
# Uploaded files live outside any public static path and are served through permission checks.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Member Center API",
    "DESCRIPTION": (
        "The API of Member Center for the member app, partners and the back office. Conventions (sign-in, errors and "
        "their codes, languages, pagination, money, dates, phones) and examples: docs/api.md in the repository."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "GenderEnum": "members.enums.Gender",
        "ChannelEnum": "members.enums.Channel",
        "VerificationStatusEnum": "members.enums.VerificationStatus",
        "StaffRoleEnum": "members.enums.StaffRole",
        "DocumentKindEnum": "orders.enums.DocumentKind",
        "RewardKindEnum": "points.enums.RewardKind",
        "EntryKindEnum": "points.enums.EntryKind",
        "OrderStateEnum": "orders.enums.OrderState",
        "LeadStatusEnum": "crm.leads.enums.LeadStatus",
        "LeadChannelEnum": "crm.leads.enums.LeadChannel",
        "ContactOutcomeEnum": "crm.leads.enums.ContactOutcome",
        "TaskOutcomeEnum": "staff_tasks.enums.TaskOutcome",
        "AppointmentKindEnum": "appointments.enums.AppointmentKind",
        "AppointmentStatusEnum": "appointments.enums.AppointmentStatus",
        "RescueKindEnum": "crm.care.rescue.enums.RescueKind",
        "RescueStatusEnum": "crm.care.rescue.enums.RescueStatus",
        "QuestionKindEnum": "crm.surveys.enums.QuestionKind",
        "SurveyTriggerEnum": "crm.surveys.enums.SurveyTrigger",
        "CardLevelEnum": "members.enums.CardLevel",
        "AftermarketKindEnum": "vehicles.enums.AftermarketKind",
        "OwnerEventKindEnum": "crm.owner_events.enums.EventKind",
        "RegistrationStatusEnum": "crm.owner_events.enums.RegistrationStatus",
    },
}

PHONENUMBER_DEFAULT_REGION = "CN"
PHONENUMBER_DB_FORMAT = "E164"

# Sign-in with an SMS code. Every limit can be overridden from the environment.
OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=300)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
OTP_RESEND_SECONDS = env.int("OTP_RESEND_SECONDS", default=60)
OTP_PER_PHONE_DAILY = env.int("OTP_PER_PHONE_DAILY", default=10)
OTP_PER_IP_DAILY = env.int("OTP_PER_IP_DAILY", default=50)
OTP_ALLOWED_REGIONS = env.list("OTP_ALLOWED_REGIONS", default=["CN"])
# Failed sign-ins (wrong code, no code) per phone and per client address within a window; over it, 429.
OTP_LOGIN_FAILURES_PER_PHONE = env.int("OTP_LOGIN_FAILURES_PER_PHONE", default=10)
OTP_LOGIN_FAILURES_PER_IP = env.int("OTP_LOGIN_FAILURES_PER_IP", default=50)
OTP_LOGIN_FAILURE_WINDOW_SECONDS = env.int("OTP_LOGIN_FAILURE_WINDOW_SECONDS", default=3600)
ACCESS_TOKEN_TTL_DAYS = env.int("ACCESS_TOKEN_TTL_DAYS", default=30)
# Behind a reverse proxy the client address is the last X-Forwarded-For hop the proxy added.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)

# SMS gateway: twilio | console | file.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms.jsonl"))
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
# Only for tests and staging: point the official client at a stand-in server.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)

# Real-name verification provider: "local" is deterministic (demo, tests).
IDENTITY_VERIFICATION_PROVIDER = env.str(
    "IDENTITY_VERIFICATION_PROVIDER", default="members.verification.LocalIdentityProvider"
)
# Providers around the car (vehicles/providers.py): the local ones are deterministic (demo, tests).
VIOLATION_PROVIDER = env.str("VIOLATION_PROVIDER", default="vehicles.providers.LocalViolationProvider")
AFTERMARKET_PROVIDER = env.str("AFTERMARKET_PROVIDER", default="vehicles.providers.LocalAftermarketProvider")
# Real-name checks a member may have pending or failed per local day before the answer is 429.
VERIFICATION_DAILY_ATTEMPTS = env.int("VERIFICATION_DAILY_ATTEMPTS", default=5)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Member Center <no-reply@member-center.example>")

# Staff login lockout (admin and the staff API alike), via django-axes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying: failures from one address over all usernames, within the same cool-off time.
STAFF_LOGIN_FAILURES_PER_IP = env.int("STAFF_LOGIN_FAILURES_PER_IP", default=20)
AXES_HANDLER = "members.lockout.StaffSignInHandler"
# The same client address as the sign-in code limits (behind a proxy: TRUST_X_FORWARDED_FOR).
AXES_CLIENT_IP_CALLABLE = "common.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

AUDITLOG_INCLUDE_ALL_MODELS = False

LOG_FORMAT = env.str("LOG_FORMAT", default="console")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "console": {"format": "%(asctime)s %(levelname)-7s %(name)s %(message)s"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The Twilio client logs every request and response at INFO; a line per SMS is enough (our own).
        "twilio": {"level": "WARNING"},
    },
}
AXES_LOCKOUT_CALLABLE = "members.lockout.lockout_response"

# Credit checks when an application enters review: a dotted path to a orders.credit.CreditProvider.
CREDIT_CHECK_PROVIDER = env.str("CREDIT_CHECK_PROVIDER", default="orders.credit.LocalCreditProvider")
CREDIT_CHECK_MAX_ATTEMPTS = env.int("CREDIT_CHECK_MAX_ATTEMPTS", default=5)
# Uploaded documents: at most this many bytes.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

# Exactly one beat process runs these (README "Production"). Times are Asia/Shanghai.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "expire-points": {"task": "points.tasks.expire_points_task", "schedule": crontab(hour=1, minute=10)},
    "release-referral-rewards": {
        "task": "points.tasks.release_referral_rewards_task",
        "schedule": crontab(hour=1, minute=20),
    },
    "notify-expiring-points": {
        "task": "points.tasks.notify_expiring_points_task",
        "schedule": crontab(hour=9, minute=30),
    },
}

# Points ledger: on PostgreSQL, earns and redemptions run as database functions (one round trip each, see
# docs/performance.md); false runs the ORM code there too, as on SQLite. Both are tested.
POINTS_LEDGER_FUNCTIONS = env.bool("POINTS_LEDGER_FUNCTIONS", default=True)

# Outbox delivery (notifications): a provider limit shared by all workers, and SMS quiet hours (local time).
SMS_RATE_PER_SECOND = env.int("SMS_RATE_PER_SECOND", default=20)
EMAIL_RATE_PER_SECOND = env.int("EMAIL_RATE_PER_SECOND", default=50)
QUIET_HOURS_START = env.int("QUIET_HOURS_START", default=21)
QUIET_HOURS_END = env.int("QUIET_HOURS_END", default=8)
# A row left "sending" this long was interrupted (worker killed): it is marked failed for staff, never resent blindly.
NOTIFICATION_STUCK_MINUTES = env.int("NOTIFICATION_STUCK_MINUTES", default=10)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE["dispatch-notifications"] = {  # noqa: F405
    "task": "notifications.tasks.dispatch_due_notifications_task",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["sweep-notifications"] = {  # noqa: F405
    "task": "notifications.tasks.sweep_stuck_notifications_task",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["purge-retained-identities"] = {  # noqa: F405
    "task": "members.tasks.purge_expired_retained_identities_task",
    "schedule": crontab(hour=2, minute=40),
}
# The reports' pre-aggregated figures (the funnel per day), rebuilt each night.
CELERY_BEAT_SCHEDULE["refresh-report-aggregates"] = {  # noqa: F405
    "task": "crm.reports.tasks.refresh_report_aggregates_task",
    "schedule": crontab(hour=3, minute=30),
}
CELERY_BEAT_SCHEDULE["purge-unusable-access-tokens"] = {  # noqa: F405
    "task": "members.tasks.purge_unusable_access_tokens_task",
    "schedule": crontab(hour=2, minute=50),
}
CELERY_BEAT_SCHEDULE["run-reminders"] = {  # noqa: F405
    "task": "crm.tasks.run_reminders_task",
    "schedule": crontab(hour=7, minute=30),
}
# Segments: nightly, after midnight's payments and before the morning's reminders read the new lifecycle.
CELERY_BEAT_SCHEDULE["compute-segments"] = {  # noqa: F405
    "task": "crm.segments.tasks.compute_segments_task",
    "schedule": crontab(hour=3, minute=15),
}
# A member whose spend would drop them a tier keeps it this many days first (a rise is immediate).
SEGMENTS_TIER_GRACE_DAYS = env.int("SEGMENTS_TIER_GRACE_DAYS", default=90)
# The public base URL Twilio calls (behind a proxy the signed URL differs from what Django sees), and the status
# callback URL passed with each message (empty: no callbacks).
TWILIO_WEBHOOK_BASE_URL = env.str("TWILIO_WEBHOOK_BASE_URL", default="")
TWILIO_STATUS_CALLBACK_URL = env.str("TWILIO_STATUS_CALLBACK_URL", default="")
# The public address of the site, for links in e-mails and SMS.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Importing needs the model's "add" permission and exporting its "view" permission (the library's default lets
# every staff account do both); what an export contains is the changelist's rows, scoped to the user.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Domain events (domain_events): who reacts to what, as dotted paths resolved when an event is dispatched, so the
# app that records an event imports nothing above it. Each subscriber takes the DomainEvent row, must be
# idempotent, and runs once per event; the events come from members.events, orders.services and vehicles.services.
# Public quick submits (POST /api/v1/leads/, the /quick/ page) per address per clock hour; more answer 429.
LEAD_SUBMITS_PER_IP_HOURLY = env.int("LEAD_SUBMITS_PER_IP_HOURLY", default=10)

DOMAIN_EVENT_SUBSCRIBERS = {
    "member.registered": [
        "points.handlers.award_registration",
        "crm.handlers.send_welcome",
        "crm.leads.handlers.convert_lead_on_registration",
    ],
    "member.profile_completed": ["points.handlers.award_profile_completed"],
    "member.identity_verified": ["points.handlers.award_identity_verified"],
    "member.qualification_completed": ["points.handlers.award_qualification_completed"],
    "order.submitted": ["orders.handlers.award_first_application_points"],
    "order.terminated": ["orders.handlers.reverse_first_application_points"],
    "order.delivered": [
        "orders.handlers.record_referral_delivery",
        "orders.handlers.issue_membership_card",
        "crm.surveys.handlers.invite_after_delivery",
    ],
    "order.model_changed": ["orders.handlers.open_model_change_call"],
    "vehicle.serviced": [
        "vehicles.handlers.award_service_spend_points",
        "crm.surveys.handlers.invite_after_service_visit",
    ],
    "complaint.closed": ["crm.surveys.handlers.invite_after_complaint"],
    "sms.replied": ["staff_tasks.handlers.open_call_back_task", "crm.care.complaints.handlers.open_complaint_from_sms"],
}
# What runs when a task of a kind is completed, in the completion's transaction (an app above staff_tasks acting on
# it): the return visit's questionnaire answers.
TASK_COMPLETION_HOOKS = {"return_visit": ["crm.surveys.handlers.record_return_visit_answers"]}

# Surveys: how long a survey link stays open, how many answers (and unknown links) one address may send an hour,
# under how many answers a figure is marked thin, and what counts as a low score (which opens a follow-up task).
SURVEY_LINK_TTL_DAYS = env.int("SURVEY_LINK_TTL_DAYS", default=14)
SURVEY_REQUESTS_PER_IP_HOURLY = env.int("SURVEY_REQUESTS_PER_IP_HOURLY", default=30)
SURVEY_THIN_BELOW = env.int("SURVEY_THIN_BELOW", default=30)
SURVEY_DETRACTOR_MAX = 6
SURVEY_LOW_CSAT_MAX = 2
SURVEY_FOLLOW_UP_DUE_HOURS = env.int("SURVEY_FOLLOW_UP_DUE_HOURS", default=24)
# The task queued on commit normally handles an event at once; the sweeper takes what is still unhandled this long
# after it was written (the broker was down, a worker was lost) or whose retry time after a failure has come.
DOMAIN_EVENT_SWEEP_AFTER_SECONDS = env.int("DOMAIN_EVENT_SWEEP_AFTER_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["sweep-domain-events"] = {
    "task": "domain_events.tasks.sweep_domain_events_task",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["requeue-credit-checks"] = {
    "task": "orders.tasks.requeue_pending_credit_checks_task",
    "schedule": 600.0,
}

# Personal data (PIPL). The current version of each policy a member agrees to; raising one asks every member again
# at their next sign-in (the sensitive-data consent: before the next ID number or qualification is taken).
POLICY_VERSIONS = {
    "user_agreement": env.str("USER_AGREEMENT_VERSION", default="2026-01"),
    "privacy_policy": env.str("PRIVACY_POLICY_VERSION", default="2026-01"),
    "sensitive_personal_info": env.str("SENSITIVE_CONSENT_VERSION", default="2026-01"),
}
# A closed account's borrower identity is kept (encrypted) this long after closing, as anti-money-laundering rules
# require for customer identification records.
CLOSED_ACCOUNT_IDENTITY_RETENTION_YEARS = env.int("CLOSED_ACCOUNT_IDENTITY_RETENTION_YEARS", default=5)

# Head office's targets for task execution (supervision report): the share of tasks done on time and the share of
# done tasks that reached the person; the score weighs their attainment (see crm/supervision/selectors.py).
TASK_SUPERVISION_TARGETS = {
    "on_time_rate": env.float("TASK_TARGET_ON_TIME_RATE", default=0.9),
    "reach_rate": env.float("TASK_TARGET_REACH_RATE", default=0.7),
    "on_time_weight": 0.5,
    "reach_weight": 0.5,
}

# The folder a dealer system (DMS) drops its JSON exports in; scanned every 10 minutes. Empty: no folder exchange.
DEALER_EXPORT_DIR = env("DEALER_EXPORT_DIR", default="")
CELERY_BEAT_SCHEDULE["scan-dealer-exports"] = {
    "task": "dealer_exchange.tasks.scan_dealer_exports_task",
    "schedule": 600.0,
}
# Complaints (crm.care.complaints, docs/complaints.md). Business hours per weekday (0 = Monday) for the SLA
# calendar; public holidays and make-up working days come from the chinese-calendar library and the admin's dates.
COMPLAINT_WEEKLY_HOURS = dict.fromkeys(range(5), ("09:00", "18:00"))
# A complaint reopened more than this many days after closing becomes a new complaint linked to the old one.
COMPLAINT_REOPEN_AS_NEW_AFTER_DAYS = env.int("COMPLAINT_REOPEN_AS_NEW_AFTER_DAYS", default=7)
# A breach escalated to the store manager goes on to head office if it is still breached this many hours later.
COMPLAINT_HEAD_OFFICE_AFTER_HOURS = env.int("COMPLAINT_HEAD_OFFICE_AFTER_HOURS", default=24)
# An SMS reply containing one of these words opens a complaint for the member whose phone it is.
COMPLAINT_SMS_KEYWORDS = env.list("COMPLAINT_SMS_KEYWORDS", default=["投诉", "complaint"])
COMPLAINT_PHOTO_MAX_BYTES = env.int("COMPLAINT_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
CELERY_BEAT_SCHEDULE["sweep-complaint-slas"] = {
    "task": "crm.care.complaints.tasks.sweep_complaint_slas_task",
    "schedule": 300.0,
}
# Money: the most a down-payment coupon (points earned before signing) takes off the down payment, in yuan.
DOWN_PAYMENT_COUPON_CAP = env.str("DOWN_PAYMENT_COUPON_CAP", default="5000.00")
# A repayment file's import reports its progress every this many rows (the upload page shows it as a bar).
REPAYMENT_IMPORT_PROGRESS_EVERY = env.int("REPAYMENT_IMPORT_PROGRESS_EVERY", default=5000)
# The customer-service line every page, message and e-mail shows (and the hours it answers).
CUSTOMER_SERVICE_PHONE = env.str("CUSTOMER_SERVICE_PHONE", default="400-800-8888")
CUSTOMER_SERVICE_HOURS = env.str("CUSTOMER_SERVICE_HOURS", default="9:00–21:00")
# An open application untouched for this long shows in the back office's "overdue" view.
BACKOFFICE_OVERDUE_HOURS = env.int("BACKOFFICE_OVERDUE_HOURS", default=48)
