"""Insight service (值班分析): duty logs, daily reports, statistics and assessment (考核), from a read
model built only from the events on the stream."""
