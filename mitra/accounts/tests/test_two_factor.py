"""Two-factor login (TOTP): who must enrol, enrolment, the code after the password, and the API."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mitra.accounts.tests.factories import TEST_PASSWORD
from mitra.accounts.views import PENDING_KEY

pytestmark = pytest.mark.django_db

HOME_URL = reverse("core:home")
LOGIN_URL = reverse("accounts:login")
SETUP_URL = reverse("accounts:two_factor_setup")
VERIFY_URL = reverse("accounts:two_factor_verify")
PROFILE_URL = reverse("accounts:profile")


def tr(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app would show (`steps_ahead` windows later)."""
    number = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{number:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    valid = {code_for(device, n) for n in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)


def pending(client, user) -> TOTPDevice:
    """The authenticator the enrolment page showed (its secret waits in the session)."""
    return TOTPDevice(user=user, name="Mitra", key=client.session[PENDING_KEY])


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="Mitra", confirmed=True)
    return device


def login_with_password(username: str) -> Client:
    client = Client()
    response = client.post(LOGIN_URL, {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


# --- who must use it -------------------------------------------------------------------------


@override_settings(MITRA_REQUIRE_2FA=True)
@pytest.mark.parametrize("persona", ["national_admin", "diy_officer", "bantul_officer"])
@pytest.mark.parametrize("path", ["/", "/admin/pengguna/", "/wilayah/", "/akun/", "/tugas-latar/"])
def test_officer_without_device_is_sent_to_enrol_when_2fa_is_required(
    request, client_for, persona, path
):
    client = client_for(request.getfixturevalue(persona))

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(SETUP_URL + "?next=")


@override_settings(MITRA_REQUIRE_2FA=True)
def test_officer_without_device_can_still_open_the_enrolment_page(bantul_officer, client_for):
    assert client_for(bantul_officer).get(SETUP_URL).status_code == 200


@override_settings(MITRA_REQUIRE_2FA=True)
@pytest.mark.parametrize("persona", ["trimulyo_worker", "jetis_supervisor", "juror", "auditor"])
def test_roles_outside_the_officer_roles_are_not_forced_to_enrol(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))

    response = client.get(HOME_URL)

    assert response.status_code == 200
    assert response.wsgi_request.two_factor_missing is False


@override_settings(MITRA_REQUIRE_2FA=False)
def test_without_the_requirement_an_officer_works_and_sees_a_set_up_notice(
    bantul_officer, client_for
):
    response = client_for(bantul_officer).get(HOME_URL)

    assert response.status_code == 200
    assert response.wsgi_request.two_factor_missing is True
    assert escape(tr("Your role should use two-factor login.")) in response.text
    assert f'href="{SETUP_URL}"' in response.text


@override_settings(MITRA_REQUIRE_2FA=False)
def test_worker_sees_no_set_up_notice(trimulyo_worker, client_for):
    response = client_for(trimulyo_worker).get(HOME_URL)

    assert response.status_code == 200
    assert escape(tr("Your role should use two-factor login.")) not in response.text


# --- enrolment -------------------------------------------------------------------------------


def test_enrolment_page_shows_a_qr_code_and_stores_nothing_until_confirmed(
    bantul_officer, client_for
):
    client = client_for(bantul_officer)
    response = client.get(SETUP_URL)

    assert response.status_code == 200
    assert response.context["qr_svg"].startswith("data:image/svg+xml")
    assert 'src="data:image/svg+xml' in response.text
    assert response.context["secret"] in response.text
    # A GET changes no data: the secret waits in the session, not as a device row.
    assert not TOTPDevice.objects.filter(user=bantul_officer).exists()
    # A reload shows the same key (the app already scanned still works); another session not.
    assert client.get(SETUP_URL).context["secret"] == response.context["secret"]
    elsewhere = Client()
    elsewhere.force_login(bantul_officer)
    assert elsewhere.get(SETUP_URL).context["secret"] != response.context["secret"]


@override_settings(MITRA_REQUIRE_2FA=True)
def test_valid_first_code_confirms_the_device_and_verifies_the_session(bantul_officer, client_for):
    client = client_for(bantul_officer)
    client.get(SETUP_URL)
    shown = pending(client, bantul_officer)

    response = client.post(SETUP_URL, {"token": code_for(shown)})

    assert response.status_code == 302
    assert response.url == PROFILE_URL
    device = TOTPDevice.objects.get(user=bantul_officer)
    assert (device.confirmed, device.key) == (True, shown.key)
    assert PENDING_KEY not in client.session
    # This session passed the second factor: the officer can work straight away.
    assert client.get(HOME_URL).status_code == 200


def test_wrong_first_code_is_refused_and_the_device_stays_unconfirmed(bantul_officer, client_for):
    client = client_for(bantul_officer)
    client.get(SETUP_URL)
    shown = pending(client, bantul_officer)

    response = client.post(SETUP_URL, {"token": wrong_code_for(shown)})

    assert response.status_code == 200
    assert response.context["form"].errors["token"] == [
        tr("The code does not match. Check the time on your phone.")
    ]
    assert not TOTPDevice.objects.filter(user=bantul_officer).exists()
    # The same key is shown again, and its right code still confirms it.
    assert response.context["secret"] == client.get(SETUP_URL).context["secret"]
    assert client.post(SETUP_URL, {"token": code_for(shown)}).status_code == 302
    assert TOTPDevice.objects.get(user=bantul_officer).confirmed is True


def test_code_that_is_not_six_digits_is_refused(bantul_officer, client_for):
    client = client_for(bantul_officer)
    client.get(SETUP_URL)

    response = client.post(SETUP_URL, {"token": "12ab56"})

    assert response.context["form"].errors["token"] == [tr("The code has 6 digits.")]
    assert not TOTPDevice.objects.filter(user=bantul_officer, confirmed=True).exists()


# --- the code after the password ----------------------------------------------------------------


def test_after_enrolment_a_fresh_login_must_pass_the_code_step(bantul_officer, client_for):
    enrolling = client_for(bantul_officer)
    enrolling.get(SETUP_URL)
    enrolling.post(SETUP_URL, {"token": code_for(pending(enrolling, bantul_officer))})
    device = TOTPDevice.objects.get(user=bantul_officer)
    assert device.confirmed

    client = login_with_password("dinsos.bantul")
    home = client.get(HOME_URL)
    assert home.status_code == 302
    assert home.url.startswith(VERIFY_URL + "?next=")
    assert client.get(home.url).status_code == 200

    # The code used to enrol cannot be replayed; the app's next code is accepted.
    verified = client.post(f"{VERIFY_URL}?next=/", {"token": code_for(device, 1), "next": "/"})

    assert verified.status_code == 302
    assert verified.url == HOME_URL
    assert client.get(HOME_URL).status_code == 200


def test_enrolled_worker_must_also_pass_the_code_step(trimulyo_worker):
    enrolled(trimulyo_worker)

    client = login_with_password("psm.trimulyo")

    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY_URL)


def test_wrong_code_at_login_is_refused_with_a_message(bantul_officer):
    device = enrolled(bantul_officer)
    client = login_with_password("dinsos.bantul")

    response = client.post(VERIFY_URL, {"token": wrong_code_for(device)})

    assert response.status_code == 200
    assert response.context["form"].errors["token"] == [
        tr("The code is wrong or has expired. Try the newest code.")
    ]
    assert client.get(HOME_URL).status_code == 302


def test_verify_step_does_not_redirect_off_site(bantul_officer):
    device = enrolled(bantul_officer)
    client = login_with_password("dinsos.bantul")

    response = client.post(
        VERIFY_URL, {"token": code_for(device), "next": "https://evil.example/phish"}
    )

    assert response.status_code == 302
    assert response.url == HOME_URL


def test_verify_step_without_a_device_sends_to_enrolment(bantul_officer, client_for):
    response = client_for(bantul_officer).get(VERIFY_URL)

    assert response.status_code == 302
    assert response.url == SETUP_URL


# --- the API -------------------------------------------------------------------------------


def test_api_session_without_the_code_step_gets_json_403(bantul_officer):
    enrolled(bantul_officer)
    client = login_with_password("dinsos.bantul")

    response = client.get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"
    assert response.json()["error"]["message"]


@override_settings(MITRA_REQUIRE_2FA=True)
def test_api_session_of_unenrolled_officer_gets_json_403_when_required(bantul_officer, client_for):
    response = client_for(bantul_officer).get("/api/v1/regions/provinces")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "two_factor_required"


def test_api_session_after_the_code_step_is_served(bantul_officer):
    device = enrolled(bantul_officer)
    client = login_with_password("dinsos.bantul")
    client.post(VERIFY_URL, {"token": code_for(device)})

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "dinsos.bantul"
