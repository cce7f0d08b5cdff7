"""python manage.py createteacher NAME [--password P] [--email E]: a user in the
`teachers` group (created or, for an existing user, added to it). Without --password
the password is asked for twice on the terminal."""

import getpass

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from playground.classroom.models import TEACHERS_GROUP


class Command(BaseCommand):
    help = "Create a teacher (a user in the teachers group) who can open classrooms."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--password", help="asked for on the terminal when left out")
        parser.add_argument("--email", default="", help="where password reset mails go")

    def handle(self, name, password=None, email="", **options):
        user = User.objects.filter(username=name).first()
        if password is None:
            password = self.ask_password()
        candidate = user or User(username=name, email=email)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if user is None:
            user = User.objects.create_user(name, email=email, password=password)
            made = "created"
        else:
            user.set_password(password)
            if email:
                user.email = email
            user.save()
            made = "updated"
        group, _ = Group.objects.get_or_create(name=TEACHERS_GROUP)
        user.groups.add(group)
        self.stdout.write(f"teacher {name} {made}; sign in at /accounts/login/")

    def ask_password(self):
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("no password given (use --password)") from None
        if first != second:
            raise CommandError("the passwords differ")
        if not first:
            raise CommandError("the password is empty")
        return first
