"""People who log in to Mitra, with their role and region scope, and their API tokens."""

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core.models import AuditedModel
from mitra.core.scope import RegionScopedQuerySet, format_code

from .roles import OFFICER_ROLES, SCOPE_LENGTH, SUPERVISOR_ROLES, TWO_FACTOR_ROLES, Role
from .roles import permissions_for as role_permissions


class UserQuerySet(RegionScopedQuerySet):
    scope_field = "scope_code"

    def narrow_for_role(self, qs, user):
        if user.role in (Role.WORKER, Role.JUROR):
            return qs.filter(pk=user.pk)
        return qs


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, username, password=None, **fields):
        user = self.model(username=self.model.normalize_username(username), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AuditedModel, AbstractBaseUser):
    """A person with a Mitra login: a ministry or social-office officer, a TKSK, a PSM, a juror or an
    auditor. The role says what they may do; the scope code says over which region."""

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and . - _ only."),
        error_messages={"unique": _("This username is already taken.")},
    )
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    scope_code = models.CharField(
        _("region scope"),
        max_length=10,
        blank=True,
        db_index=True,
        help_text=_("Region code this user works in; empty means national."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name", "role"]
    audit_redact = ("password",)
    audit_skip = ("last_login",)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    def history_label(self) -> str:
        return self.username

    def clean_fields(self, exclude=None):
        # The scope rules run here, not in clean(), so that a form whose role or scope field
        # already failed (and is excluded) does not get a second, misleading error about the
        # empty value the instance still holds.
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        skip = set(exclude or ()) | set(errors)
        if "scope_code" not in skip and "role" not in skip:
            try:
                self._clean_scope()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_scope(self):
        from mitra.regions.models import region_exists

        required = SCOPE_LENGTH.get(self.role)
        code = self.scope_code or ""
        if required == 0 and code:
            raise ValidationError({"scope_code": _("A national administrator has no region.")})
        if required and len(code) != required:
            raise ValidationError(
                {
                    "scope_code": _("This role needs a region at the %(level)s level.")
                    % {"level": LEVEL_NAMES[required]}
                }
            )
        if code and not region_exists(code):
            raise ValidationError(
                {"scope_code": _("Unknown region code %(code)s.") % {"code": format_code(code)}}
            )

    # Permissions come from the role table, not from per-user grants.
    def has_perm(self, perm, obj=None) -> bool:
        return self.is_active and perm in role_permissions(self.role)

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(p, obj) for p in perm_list)

    def has_module_perms(self, app_label) -> bool:
        return self.is_active and any(
            p.startswith(f"{app_label}.") for p in role_permissions(self.role)
        )

    @property
    def is_staff(self) -> bool:
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def is_supervisor(self) -> bool:
        return self.role in SUPERVISOR_ROLES

    @property
    def needs_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES

    @property
    def scope_label(self) -> str:
        from mitra.regions.models import region_for_code

        if not self.scope_code:
            return str(_("National"))
        # Every page shows it twice (the menu and the top bar): one region read per request
        # (request.user is loaded per request), again if the scope has changed meanwhile.
        cached = getattr(self, "_scope_region", None)
        if cached is None or cached[0] != self.scope_code:
            cached = (self.scope_code, region_for_code(self.scope_code))
            self._scope_region = cached
        region = cached[1]
        return f"{region.name} ({format_code(self.scope_code)})" if region else self.scope_code


LEVEL_NAMES = {2: _("province"), 4: _("regency/city"), 6: _("district"), 10: _("village")}


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A token one user made for another system to call the API as them; revocable.
    Only a hash is stored: the token is shown once, when it is made."""

    PREFIX = "mitra_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("starts with"), max_length=16)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_hash_token(raw), hint=raw[:12])
        return token, raw

    @classmethod
    def user_for(cls, raw: str):
        if not raw or not raw.startswith(cls.PREFIX):
            return None
        token = (
            cls.objects.active()
            .select_related("user")
            .filter(key_hash=_hash_token(raw), user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user
