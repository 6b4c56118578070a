from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from mitra.core.forms import RegionCodeField
from mitra.core.scope import code_in_scope, format_code

from .models import ApiToken, User
from .roles import Role, assignable_roles


class LoginForm(AuthenticationForm):
    error_messages = {
        # Same words whether or not the account exists, so the form cannot be used to probe names.
        "invalid_login": _("Username or password is wrong. Check both and try again."),
        "inactive": _("Username or password is wrong. Check both and try again."),
    }


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return token


class RoleChoiceField(forms.TypedChoiceField):
    """Offers only the roles the acting officer may give, but accepts every known role here so that
    `UserForm.clean_role` can say why a role is refused instead of "select a valid choice"."""

    def valid_value(self, value):
        return value in Role.values


class UserForm(forms.ModelForm):
    """Create or change a user. The acting officer limits the roles and regions on offer."""

    role = RoleChoiceField(label=_("Role"), choices=Role.choices)
    scope_code = RegionCodeField(label=_("Region scope"), required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common word."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "role", "scope_code", "is_active"]

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["role"].choices = [("", _("— Choose a role —"))] + [
            (r.value, r.label) for r in assignable_roles(actor.role)
        ]
        creating = self.instance.pk is None
        self.fields["password1"].required = creating
        self.fields["password2"].required = creating
        if not creating:
            self.fields["password1"].label = _("New password (leave empty to keep)")
            self.fields["password2"].label = _("New password again")
            self.fields["username"].disabled = True
        else:
            del self.fields["is_active"]
        if self.instance.pk == actor.pk:
            # Nobody changes their own role, scope or active state: another officer must.
            for name in ("role", "scope_code", "is_active"):
                self.fields[name].disabled = True
        self.fields["scope_code"].widget.attrs["data-scope"] = actor.scope_code or ""

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role and role not in assignable_roles(self.actor.role):
            raise forms.ValidationError(_("You cannot give a role above your own."))
        return role

    def clean_scope_code(self):
        code = self.cleaned_data.get("scope_code") or ""
        if not code_in_scope(code, self.actor.scope_code) or (self.actor.scope_code and not code):
            raise forms.ValidationError(
                _("Region %(code)s is outside your own area.")
                % {"code": format_code(code) if code else _("National")}
            )
        return code

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 or p2:
            if p1 != p2:
                self.add_error("password2", _("The two passwords are not the same."))
            else:
                try:
                    password_validation.validate_password(p1, self.instance)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
        labels = {"name": _("What is this token for?")}
