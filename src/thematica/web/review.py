"""The anonymisation review screen: proposals highlighted in the text, decided one by one or alike."""

from fastapi import APIRouter

router = APIRouter()
