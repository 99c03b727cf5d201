"""Meter readings: customer sign-in, personal accounts and meters, submissions and SMS intake."""
