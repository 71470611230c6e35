"""Sign-in for everyone (agents, managers, customers), and ``/`` sending each home."""

from django.contrib.auth import views as auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse_lazy

from tierdesk.people.access import viewer_for
from tierdesk.web.access import forbidden


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their home: the workspace for agents, the portal for customers."""
    if not request.user.is_authenticated:
        return redirect("web:login")
    viewer = viewer_for(request.user)
    if viewer.is_agent:
        return redirect("web:queue")
    if viewer.is_customer:
        return redirect("web:portal")
    if request.user.is_staff:
        return redirect("admin:index")
    return forbidden(request, "This account is neither an agent nor a customer contact.")


urlpatterns = [
    path("", home, name="home"),
    path("login/", auth.LoginView.as_view(template_name="web/login.html",
                                          redirect_authenticated_user=True), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(
        template_name="web/password_reset.html",
        email_template_name="web/email/password_reset.txt",
        subject_template_name="web/email/password_reset_subject.txt",
        success_url=reverse_lazy("web:password_reset_done")), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(
        template_name="web/password_reset_done.html"), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(
        template_name="web/password_reset_confirm.html",
        success_url=reverse_lazy("web:password_reset_complete")),
        name="password_reset_confirm"),
    path("password-reset/done/", auth.PasswordResetCompleteView.as_view(
        template_name="web/password_reset_complete.html"), name="password_reset_complete"),
]
