"""Authoring: a new house's project from the packaged scaffold (briefs/scaffold/), and a new brief of any kind."""
