def test_an_interrupt_wrapped_by_compiled_code_is_recognised() -> None:
    """A signal handled while a compiled kernel runs comes back as the kernel's SystemError with the
    KeyboardInterrupt as its context; the CLI and sweeps must treat it as the interrupt it is."""
    from tinysim.interrupt import caused_by_interrupt

    wrapped: BaseException | None = None
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise SystemError("returned a result with an exception set")  # noqa: B904 (as numba does)
    except SystemError as exc:
        wrapped = exc
    assert wrapped is not None and caused_by_interrupt(wrapped)
    assert not caused_by_interrupt(SystemError("a real fault"))
