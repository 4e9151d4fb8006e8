"""Pure rules of the notifications service: who is told, who may see an event, what a message
says. No framework, database or broker imports here."""
