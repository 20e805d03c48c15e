"""`{% bar_chart chart chart_id %}`: the domain-score bar chart (`presentation.bar_chart`)."""

from django import template

from pathmark.assessments.presentation import bar_chart

register = template.Library()
register.simple_tag(bar_chart, name="bar_chart")
