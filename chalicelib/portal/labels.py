"""The words the portal shows for the platform's codes (statuses, kinds, timeline
actions...). Message ids for the catalogue; translated where they are shown."""

from __future__ import annotations

from .i18n import N_

KINDS = {
    "complaint": N_("Complaint"),
    "aspiration": N_("Aspiration"),
    "information_request": N_("Information request"),
}
KIND_HINTS = {
    "complaint": N_("Something in a public service went wrong and should be fixed."),
    "aspiration": N_("An idea or a wish for a public service or a policy."),
    "information_request": N_("You want information that a government body holds."),
}
# The LAPOR! names in Bahasa Indonesia (domain/status.py) and their English words.
STATUSES = {
    "unverified": N_("Not yet verified"),
    "archived": N_("Archived"),
    "awaiting_followup": N_("Awaiting follow-up"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
}
ACTIONS = {
    "submitted": N_("Report received"),
    "disposed": N_("Sent to the responsible agency"),
    "archived": N_("Archived"),
    "restored": N_("Taken back for verification"),
    "rerouted": N_("Moved to another agency"),
    "responded": N_("The agency responded"),
    "information_requested": N_("The agency asked you for more information"),
    "transferred": N_("The agency handed it back: not its authority"),
    "final_response": N_("The agency's final response"),
    "reporter_replied": N_("You replied"),
    "confirmed": N_("You confirmed it is resolved"),
    "reopened": N_("You reopened it"),
    "rated": N_("You rated the handling"),
    "attachment_added": N_("A file was attached"),
    "auto_completed": N_("Completed automatically"),
    "closed": N_("Closed by an administrator"),
    "duplicate_linked": N_("Linked to a duplicate report"),
}
# The same events told to the public (the reporter is not "you" there).
PUBLIC_ACTIONS = {
    "reporter_replied": N_("The reporter replied"),
    "confirmed": N_("The reporter confirmed it is resolved"),
    "reopened": N_("The reporter reopened it"),
    "rated": N_("The reporter rated the handling"),
    "information_requested": N_("The agency asked the reporter for more information"),
}
ACTORS = {
    "reporter": N_("You"),
    "agency": N_("Agency"),
    "admin": N_("Satu Pintu administrator"),
    "system": N_("Satu Pintu"),
}
ARCHIVE_REASONS = {
    "too_general": N_("The report is too general to act on."),
    "not_public_service": N_("It is not a matter for a public service."),
    "duplicate": N_("The same matter is already reported."),
    "abusive": N_("The report breaks the rules of conduct."),
    "no_answer": N_("No answer came to the request for more information."),
}
DEADLINES = {
    "verification": N_("Verification due"),
    "first_response": N_("First response due"),
    "completion": N_("Completes automatically on"),
}
# What the reporter's forms do, keyed by the policy's action names.
DONE = {
    "reply": N_("Your message was added to the report. The agency is told."),
    "confirm": N_("Thank you. The report is completed."),
    "reopen": N_("The report is open again. The agency is told."),
    "rate": N_("Thank you for your rating."),
    "attach": N_("Your file was received. It is checked in a few seconds."),
}
ATTACHMENT_STATUSES = {
    "pending": N_("being checked"),
    "accepted": N_("added"),
    "rejected": N_("refused"),
    "expired": N_("not received in time"),
}
REJECT_REASONS = {
    "too_large": N_("the file is too large"),
    "empty": N_("the file is empty"),
    "type_mismatch": N_("the file is not of the kind chosen"),
    "malformed": N_("the file is damaged"),
    "expired": N_("it arrived after the form had expired"),
}
UPLOAD_KINDS = {
    "image/jpeg": N_("Photo (JPEG)"),
    "image/png": N_("Picture (PNG)"),
    "image/webp": N_("Picture (WebP)"),
    "application/pdf": N_("Document (PDF)"),
}
SIGN_IN_UNAVAILABLE = N_("Signing in is not possible right now. Please try again in a moment.")
NOT_YOUR_ROLE = N_("Your account's role does not give access to this page.")
ERRORS = {
    400: N_("We could not read this form. Go back and try again."),
    403: N_(
        "This form has expired or did not come from this site. Go back, reload the page "
        "and send it again."
    ),
    404: N_("There is no such page."),
    500: N_("Something went wrong on our side. Please try again in a moment."),
}
