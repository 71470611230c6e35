from django.urls import path

from tierdesk.chat import views

app_name = "chat"

urlpatterns = [
    path("chat/widget/", views.widget, name="widget"),
    path("agent/chats/", views.chats, name="chats"),
    path("agent/chats/<int:session_id>/", views.console, name="console"),
    path("agent/chats/<int:session_id>/say/", views.say, name="say"),
]
