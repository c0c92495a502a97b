"""Pins, buses and physics: wall-sensor drivers and turning readings into movement events."""
