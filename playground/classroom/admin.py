from django.contrib import admin

from .models import Activity, Answer, Classroom, Seat


class SeatInline(admin.TabularInline):
    model = Seat
    fields = ("name", "joined", "last_seen", "connections", "removed")
    readonly_fields = ("joined", "last_seen", "connections")
    extra = 0


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ("number", "mode", "scenario", "challenge", "editing", "vote", "vote_open", "revealed")
    readonly_fields = ("number",)
    extra = 0
    show_change_link = True


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "teacher", "created", "ended")
    list_filter = ("ended",)
    search_fields = ("code", "title", "teacher__username")
    readonly_fields = ("code", "created")
    inlines = [SeatInline, ActivityInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("seat", "vote", "answer", "at")
    readonly_fields = fields
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("classroom", "number", "mode", "scenario", "vote", "vote_open")
    search_fields = ("classroom__code", "scenario")
    inlines = [AnswerInline]
