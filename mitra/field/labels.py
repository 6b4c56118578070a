"""The field app's words, translated on the server and handed to its JavaScript as JSON in the app
shell (the project has no JavaScript catalogue; one source of translations: the .po file)."""

from django.utils.translation import gettext as _


def labels() -> dict[str, str]:
    return {
        # The frame: connection, the outbox count, the tabs.
        "online": _("Online"),
        "offline": _("Offline"),
        "unsent": _("Not sent yet"),
        "send_now": _("Send now"),
        "sending": _("Sending…"),
        "refresh": _("Refresh"),
        "data_from": _("Data from"),
        "tab_due": _("Due"),
        "tab_cases": _("My cases"),
        "tab_people": _("People"),
        "tab_outbox": _("To send"),
        "new_person": _("New person and case"),
        "report": _("Activity report"),
        "log_out": _("Log out"),
        "full_site": _("Full site"),
        "log_in": _("Log in"),
        # Lists.
        "not_sent_mark": _("not sent yet"),
        "overdue": _("overdue"),
        "follow_up": _("Next follow-up"),
        "opened": _("Opened"),
        "age": _("age"),
        "record_visit": _("Record a visit"),
        "referral": _("Referral"),
        "no_due": _("Nothing is due."),
        "no_cases": _("No open cases."),
        "no_people": _("No people yet."),
        "case_gone": _(
            "This case is no longer among your open cases (closed or handed over): a new entry "
            "cannot be made on it here."
        ),
        "outbox_empty": _("Everything has been sent."),
        "loading": _("Loading your cases…"),
        "not_loaded": _(
            "Your cases have not been loaded yet. Connect to the internet once to load them."
        ),
        # What happened.
        "saved_offline": _("Saved on this phone. It is sent when there is a connection."),
        "sent_ok": _("Sent."),
        "login_needed": _(
            "Your session has ended. Log in again to send; your entries stay on this phone."
        ),
        "forbidden": _("This app is for PSM whose office linked their worker record."),
        "server_error": _("The server did not answer. Try again later."),
        "offline_note": _("No connection. Entries are kept on this phone."),
        "needs_attention": _("Some entries need your attention: see “To send”."),
        "other_user": _("Another user logged in: the previous user's data was removed."),
        # The outbox.
        "state_pending": _("waiting to be sent"),
        "state_invalid": _("needs correction"),
        "state_conflict": _("changed by someone else"),
        "state_refused": _("refused"),
        "fix": _("Correct"),
        "waits_for_earlier": _("Sent once the entry it depends on is corrected."),
        "orphaned": _(
            "The entry this one depends on was discarded and never reached the server, so this "
            "one cannot be sent. Discard it, and record it again if it is still needed."
        ),
        "person_sent": _(
            "The person has been sent already; correct the case here and save to send it "
            "again. The person's details can now be changed only on the Mitra website."
        ),
        "back_to_outbox": _("Back to “To send”"),
        "discard": _("Discard"),
        "send_anyway": _("Send anyway"),
        "server_version": _("On the server"),
        "my_version": _("My entry"),
        "conflict_help": _(
            "Someone changed this case while you were offline. Compare both and choose."
        ),
        "discard_confirm": _("Discard this entry for good?"),
        "logout_confirm": _(
            "Entries not sent yet will be deleted from this phone. Log out anyway?"
        ),
        "errors_top": _("Please correct the marked fields."),
        "updated_by": _("Changed by"),
        "updated_at": _("Changed at"),
        # Forms.
        "save": _("Save"),
        "cancel": _("Cancel"),
        "choose": _("— Choose —"),
        "kind_beneficiary": _("New person"),
        "kind_case": _("New case"),
        "kind_intervention": _("Visit"),
        "kind_referral": _("Referral"),
        "kind_report": _("Activity report"),
        "person_section": _("The person"),
        "consent_section": _("Consent"),
        "case_section": _("The case"),
        "reached_section": _("People reached"),
        "full_name": _("Full name"),
        "nik": _("NIK (if known)"),
        "sex": _("Sex"),
        "birth_date": _("Date of birth"),
        "estimated_age": _("Estimated age (if the date is unknown)"),
        "address": _("Address (street, RT/RW)"),
        "categories": _("PMKS categories"),
        "consent_by": _("Consent given by"),
        "consent_relation": _("Relation to the person"),
        "consent_on": _("Date of consent"),
        "consent_method": _("How consent was given"),
        "priority": _("Priority"),
        "opened_on": _("Date opened"),
        "status": _("Status"),
        "kind": _("Kind of step"),
        "on": _("Date"),
        "place": _("Place"),
        "notes": _("Notes"),
        "assessment": _("Assessment"),
        "next_follow_up_on": _("Next follow-up"),
        "programme": _("Programme"),
        "sent_on": _("Date sent"),
        "target_detail": _("Referred to (office, person)"),
        "activity_type": _("Activity"),
        "description": _("What was done"),
        "reached_children_m": _("Boys"),
        "reached_children_f": _("Girls"),
        "reached_adults_m": _("Men"),
        "reached_adults_f": _("Women"),
        "reached_elderly_m": _("Elderly men"),
        "reached_elderly_f": _("Elderly women"),
        "submit": _("Submit for verification now"),
    }
