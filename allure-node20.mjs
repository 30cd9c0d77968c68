// Loaded with `node --import` by `qualify report`: Allure 3.18's quality gate calls
// Iterator.prototype.toArray, which Node 20 (the Node on Debian-based build machines here) lacks;
// Node 22+ has it and this file then does nothing.
const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
if (typeof iteratorPrototype.toArray !== "function") {
  Object.defineProperty(iteratorPrototype, "toArray", {
    value: function toArray() { return Array.from({ [Symbol.iterator]: () => this }); },
    writable: true, configurable: true,
  });
}
