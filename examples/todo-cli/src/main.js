import { addTodo, completeTodo, createList, pending } from "./todo.js";

const list = createList();
addTodo(list, "write the plan");
addTodo(list, "review the diff");
completeTodo(list, 1);
for (const item of pending(list)) console.log(`${item.id}. ${item.title}`);
