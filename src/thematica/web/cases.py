"""The cases screen: the participants' attribute table and the demographics table preview."""

from fastapi import APIRouter

router = APIRouter()
