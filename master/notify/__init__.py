"""Telling people what runs did: who is told (notify users, the environment's switches and
templates), the outbox's deliveries (email, SMS, webhooks, per-run callbacks) and their sending."""
