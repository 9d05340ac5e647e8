app_name = "usecases"

urlpatterns: list = []
