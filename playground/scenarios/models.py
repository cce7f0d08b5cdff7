import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

# Saved scenarios are shared by an id that no slug can be: slugs never hold "_".
SHARE_PREFIX = "s_"


def new_share_id():
    return SHARE_PREFIX + secrets.token_urlsafe(16)


class ScenarioQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The built-ins and, for a signed-in person, their own saved scenarios."""
        if user is not None and user.is_authenticated:
            return self.filter(Q(builtin=True) | Q(owner=user))
        return self.filter(builtin=True)

    def find(self, key, user):
        """The scenario a slug (built-in or one's own) or a share id names, or None."""
        if key.startswith(SHARE_PREFIX):
            return self.filter(share_id=key).first()
        return self.visible_to(user).filter(slug=key).first()


class Scenario(models.Model):
    """A lesson: a validated playground.scenario/1 spec, built in or saved by a person."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    spec = models.JSONField()
    builtin = models.BooleanField(default=False)
    # Saved scenarios: who saved it (only they may change it), and the unguessable id
    # anyone with the link may open it by. Built-ins have neither.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="scenarios")
    share_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["-builtin", "title"]

    def __str__(self):
        return self.slug

    def listing(self, user=None):
        item = {"slug": self.slug, "title": self.title, "summary": self.summary, "tags": self.tags,
                "builtin": self.builtin, "owner": self.is_owned_by(user)}
        if item["owner"]:
            item.update(share_id=self.share_id, share_url=f"/api/scenarios/{self.share_id}",
                        updated=self.updated.isoformat() if self.updated else None)
        return item

    def is_owned_by(self, user):
        return bool(user is not None and user.is_authenticated and self.owner_id == user.pk)


class Progress(models.Model):
    """How far a signed-in person got with one challenge of a lesson. Visitors keep
    theirs in the browser; a passed challenge stays passed."""

    class State(models.TextChoices):
        TRIED = "tried"
        PASSED = "passed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress")
    scenario = models.SlugField(max_length=100, help_text="the lesson's slug")
    challenge = models.CharField(max_length=40)
    state = models.CharField(max_length=8, choices=State.choices)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scenario", "challenge"]
        constraints = [models.UniqueConstraint(fields=["user", "scenario", "challenge"],
                                               name="progress_one_per_challenge")]

    def __str__(self):
        return f"{self.user_id} {self.scenario}/{self.challenge}: {self.state}"

    @classmethod
    def record(cls, user, scenario, challenge, state):
        """Note a check's result; `tried` never undoes `passed`. Returns the row."""
        row, created = cls.objects.get_or_create(user=user, scenario=scenario, challenge=challenge,
                                                 defaults={"state": state})
        if not created and row.state != state and state == cls.State.PASSED:
            row.state = state
            row.save(update_fields=["state", "updated"])
        elif not created:
            row.save(update_fields=["updated"])
        return row

    def as_json(self):
        return {"scenario": self.scenario, "challenge": self.challenge, "state": self.state,
                "updated": self.updated.isoformat()}
