app_name = "timeboxes"

urlpatterns: list = []
