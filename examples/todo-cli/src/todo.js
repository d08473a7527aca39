// A minimal to-do list kept in memory. Try Burrow on it, for example:
//   burrow run "Add a function that removes a to-do by its id" --root examples/todo-cli

export function createList() {
  return { items: [], nextId: 1 };
}

export function addTodo(list, title) {
  const item = { id: list.nextId, title, done: false };
  list.items.push(item);
  list.nextId += 1;
  return item;
}

export function completeTodo(list, id) {
  const item = list.items.find((i) => i.id === id);
  if (item) item.done = true;
  return item;
}

export function pending(list) {
  return list.items.filter((i) => !i.done);
}
