"""Clients for the remote-support providers the consent server opens sessions with: Zoho Assist
(API v2) and TeamViewer (Web API v1), the fallback the terms name."""
