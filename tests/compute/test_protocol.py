import pytest

from jhops.compute.protocol import DriverChannel, ProtocolError, WorkerChannel, decode, encode, new_secret


def test_signed_messages_round_trip_and_forgeries_are_rejected():
    secret = new_secret().encode()
    frames = encode(secret, {"type": "GET", "worker": "w1"})
    assert decode(secret, frames) == {"type": "GET", "worker": "w1"}
    with pytest.raises(ProtocolError, match="bad signature"):
        decode(b"another-secret", frames)
    tampered = [frames[0], frames[1].replace(b"w1", b"w2")]
    with pytest.raises(ProtocolError, match="bad signature"):
        decode(secret, tampered)


def test_driver_answers_workers_that_hold_the_secret_only():
    secret = new_secret()
    driver = DriverChannel(secret)
    good = WorkerChannel(driver.address, secret, timeout=5)
    intruder = WorkerChannel(driver.address, "not-the-secret", timeout=0.5)
    try:
        import threading

        replies = {}

        def ask():
            replies["good"] = good.call({"type": "REG", "worker": "w", "info": {}})

        thread = threading.Thread(target=ask)
        thread.start()
        request = None
        while request is None:
            request = driver.receive(timeout=1)
        assert request.type == "REG"
        driver.reply(request, {"type": "OK"})
        thread.join(5)
        assert replies["good"] == {"type": "OK"}

        with pytest.raises(ProtocolError, match="did not answer"):
            intruder.call({"type": "REG", "worker": "x", "info": {}})
        assert driver.receive(timeout=0.5) is None
        assert driver.rejected == 1
    finally:
        good.close()
        intruder.close()
        driver.close()
