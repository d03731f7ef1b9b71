"""The handler's unit test: python3 -m unittest"""
import unittest

import function


class HandlerTest(unittest.TestCase):
    def test_greets_by_name(self):
        self.assertEqual({"greeting": "Hello, Ada!"}, function.handler({"name": "Ada"}, None))

    def test_greets_the_world_without_a_name(self):
        self.assertEqual({"greeting": "Hello, world!"}, function.handler({}, None))


if __name__ == "__main__":
    unittest.main()
