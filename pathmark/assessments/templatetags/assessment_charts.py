"""`{% bar_chart chart chart_id %}` and `{% score_table result caption %}`: the domain scores as
a chart and as a table (`presentation`)."""

from django import template

from pathmark.assessments.presentation import bar_chart, score_table

register = template.Library()
register.simple_tag(bar_chart, name="bar_chart")
register.simple_tag(score_table, name="score_table")
