from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin"
    AREA_COORDINATOR = "area_coordinator"
    DISTRIBUTOR = "distributor"
    VENUE = "venue"


class User(AbstractUser):
    """A worker of the network. One role; its scope is an area or an organisation (site)."""

    role = models.CharField(max_length=20, choices=Role.choices)
    area = models.ForeignKey("network.Area", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="users")
    organisation = models.ForeignKey("network.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="users")
    language = models.CharField(max_length=2, choices=[("fi", "fi"), ("sv", "sv"), ("en", "en")],
                                default="fi")
    # Part of every session's check (below): raising it ends all of the user's open sessions at their next
    # request, whatever the session store (database or cache). Raised on deactivation and on a password reset.
    session_generation = models.PositiveIntegerField(default=0, db_default=0)

    def _get_session_auth_hash(self, secret=None):
        # Django's hash covers the password only; ours covers the generation too.
        key_salt = "kaikukanta.accounts.models.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_generation}", secret=secret,
                           algorithm="sha256").hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
