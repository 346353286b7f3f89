"""The report screen: a preview of the Results section and its downloads."""

from fastapi import APIRouter

router = APIRouter()
