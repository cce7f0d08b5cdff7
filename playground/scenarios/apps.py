from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "playground.scenarios"
    label = "scenarios"
